//! A generational slab: stable `u32` keys with a generation, reused slots, no allocation once
//! warm. Events carry `(index, generation)` so an event for an object that has since been freed
//! (and its slot reused) is recognised as stale and ignored.

/// A key into a [`Slab`].
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// Slot index.
    pub index: u32,
    /// Generation of the slot when the key was issued.
    pub generation: u32,
}

struct Slot<T> {
    generation: u32,
    value: Option<T>,
}

/// Storage for short-lived objects (requests, calls, attempts).
pub struct Slab<T> {
    slots: Vec<Slot<T>>,
    /// The empty slots: every slot is either live or listed here.
    free: Vec<u32>,
}

impl<T> Default for Slab<T> {
    fn default() -> Self {
        Slab {
            slots: Vec::new(),
            free: Vec::new(),
        }
    }
}

impl<T> Slab<T> {
    /// Stores a value and returns its key.
    #[inline(always)]
    pub fn insert(&mut self, value: T) -> Key {
        match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                debug_assert!(slot.value.is_none());
                slot.value = Some(value);
                Key {
                    index,
                    generation: slot.generation,
                }
            }
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 live objects");
                self.slots.push(Slot {
                    generation: 0,
                    value: Some(value),
                });
                Key { index, generation: 0 }
            }
        }
    }

    /// The value for `key`, if it is still live.
    #[inline]
    pub fn get(&self, key: Key) -> Option<&T> {
        let slot = self.slots.get(key.index as usize)?;
        if slot.generation == key.generation {
            slot.value.as_ref()
        } else {
            None
        }
    }

    /// The value for `key`, mutably, if it is still live.
    #[inline]
    pub fn get_mut(&mut self, key: Key) -> Option<&mut T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation == key.generation {
            slot.value.as_mut()
        } else {
            None
        }
    }

    /// Removes and returns the value for `key`; its slot's generation moves on, so the key and
    /// any copy of it go stale.
    #[inline]
    pub fn remove(&mut self, key: Key) -> Option<T> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let value = slot.value.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        Some(value)
    }

    /// Removes the value of `key` after reading what `read` takes of it: for a large value of
    /// which the caller needs a few fields, cheaper than moving it all out.
    #[inline]
    pub fn remove_with<R>(&mut self, key: Key, read: impl FnOnce(&T) -> R) -> Option<R> {
        let slot = self.slots.get_mut(key.index as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let out = read(slot.value.as_ref()?);
        slot.value = None;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.index);
        Some(out)
    }

    /// Issues a key and frees it at once, as `remove(insert(value))` would, without a value:
    /// for an object that ends the moment it is made (a request rejected on arrival). Later
    /// keys are then the ones they would have been, so event descriptions (which name keys, and
    /// which the determinism digest hashes) do not depend on whether the object was stored.
    #[inline]
    pub fn skip(&mut self) {
        let index = match self.free.last() {
            Some(&index) => index,
            None => {
                let index = u32::try_from(self.slots.len()).expect("fewer than 2^32 live objects");
                self.slots.push(Slot {
                    generation: 0,
                    value: None,
                });
                self.free.push(index);
                index
            }
        };
        let slot = &mut self.slots[index as usize];
        slot.generation = slot.generation.wrapping_add(1);
    }

    /// Number of live values.
    pub fn len(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Whether there are no live values.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys of all live values, in slot order (deterministic).
    pub fn keys(&self) -> impl Iterator<Item = Key> + '_ {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            s.value.as_ref().map(|_| Key {
                index: i as u32,
                generation: s.generation,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_issues_the_keys_insert_and_remove_would() {
        // The same operations on two slabs, one storing the skipped values, one skipping them:
        // every later key is the same, and so is what the slab holds.
        let (mut stored, mut skipped) = (Slab::default(), Slab::default());
        let mut live = Vec::new();
        for step in 0u32..200 {
            match step % 5 {
                0 | 3 => {
                    let k = stored.insert(step);
                    assert_eq!(skipped.insert(step), k);
                    live.push(k);
                }
                1 => {
                    let k = stored.insert(step);
                    assert_eq!(stored.remove(k), Some(step));
                    skipped.skip();
                }
                _ => {
                    if let Some(k) = live.pop() {
                        assert_eq!(stored.remove(k), skipped.remove(k));
                    }
                }
            }
        }
        assert_eq!(stored.len(), skipped.len());
        assert_eq!(
            stored.keys().collect::<Vec<_>>(),
            skipped.keys().collect::<Vec<_>>()
        );
        // On an empty slab too: a fresh slot is made and freed.
        let mut fresh = Slab::<u8>::default();
        fresh.skip();
        assert_eq!(fresh.len(), 0);
        assert_eq!(
            fresh.insert(7),
            Key {
                index: 0,
                generation: 1
            }
        );
    }

    #[test]
    fn stale_keys_miss_after_reuse() {
        let mut slab = Slab::default();
        let a = slab.insert("a");
        assert_eq!(slab.remove(a), Some("a"));
        let b = slab.insert("b");
        assert_eq!(b.index, a.index);
        assert_eq!(slab.get(a), None);
        assert_eq!(slab.get(b), Some(&"b"));
        assert_eq!(slab.remove(a), None);
        assert_eq!(slab.len(), 1);
    }
}
