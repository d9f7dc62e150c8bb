//! Work nobody waits for. A traffic request on a server is *abandoned* once its answer can no
//! longer reach anyone who wants it: the attempt that sent it ended first (the caller's attempt
//! timeout, read timeout or deadline fired, or its call was cut off), or the request that made
//! that call ended (answered early, or lost with its container) or was itself abandoned. The
//! mark travels down the call tree at once, and a request that arrives for an abandoned or ended
//! owner is abandoned from birth.
//!
//! Servers do not know: the work goes on (no cancellation reaches a handler in this model,
//! as with an httpx client that closes its connection while the server keeps computing). The
//! slots it holds from then on are *wasted work*: `services[].wasted_work_s` and the
//! `service.S.wasted_work_s` column, kept as a gauge of busy slots held by abandoned requests.
//! Honouring a propagated deadline is what lets a server skip some of it (queued requests past
//! their deadline are dropped unstarted). gRPC's deadline guide makes the same point: a server
//! that does not check the deadline keeps working after the client has given up
//! (<https://grpc.io/docs/guides/deadlines/>, "Deadlines on the Server").

use sim_core::time::SimTime;

use super::{CallOwner, World};
use crate::slab::Key;

impl World {
    /// The request `root` lost its caller at `now`: mark it and every request it waits on
    /// downstream, counting the slots they hold as wasted from now. Nothing to do (and no
    /// walk) when `root` has already ended, as an answered request has.
    #[inline]
    pub(super) fn abandon(&mut self, root: Key, now: SimTime) {
        if self.requests.get(root).is_some_and(|r| !r.abandoned) {
            self.abandon_tree(root, now);
        }
    }

    /// `abandon` of a request still running and not yet abandoned.
    #[cold]
    #[inline(never)]
    fn abandon_tree(&mut self, root: Key, now: SimTime) {
        let mut stack = std::mem::take(&mut self.abandon_stack);
        stack.push(root);
        self.abandon_all(&mut stack, now);
        self.abandon_stack = stack;
    }

    /// A request ended (answered, or lost with its container) with calls still in flight: the
    /// requests serving them now work for nobody.
    #[inline]
    pub(super) fn orphan_calls(&mut self, head: Option<Key>, now: SimTime) {
        if head.is_some() {
            self.orphan_calls_of(head, now);
        }
    }

    /// `orphan_calls` of a request that has calls.
    #[cold]
    #[inline(never)]
    fn orphan_calls_of(&mut self, head: Option<Key>, now: SimTime) {
        let mut stack = std::mem::take(&mut self.abandon_stack);
        self.push_callees(head, &mut stack);
        self.abandon_all(&mut stack, now);
        self.abandon_stack = stack;
    }

    /// Marks every request on `stack` and, down the call tree, those they wait on; leaves the
    /// stack empty.
    fn abandon_all(&mut self, stack: &mut Vec<Key>, now: SimTime) {
        while let Some(k) = stack.pop() {
            let Some(r) = self.requests.get_mut(k) else {
                continue;
            };
            if r.abandoned {
                continue;
            }
            r.abandoned = true;
            let (pod, holds_slot, head) = (r.pod, r.started && r.uses_slot, r.calls);
            if holds_slot {
                let service = self.pods[pod.idx()].service;
                self.services[service.idx()].metrics.add_wasted(now, 1);
            }
            self.push_callees(head, stack);
        }
    }

    /// The server requests of the in-flight calls listed from `head`, onto `stack`.
    fn push_callees(&self, mut next: Option<Key>, stack: &mut Vec<Key>) {
        while let Some(k) = next {
            let c = self.calls.get(k).expect("listed calls are live");
            if let Some(s) = c.attempt.as_ref().and_then(|a| a.server) {
                stack.push(s);
            }
            next = c.next_sibling;
        }
    }

    /// Lists `call` among the in-flight calls of its owner `request`.
    pub(super) fn link_call(&mut self, request: Key, call: Key) {
        let r = self.requests.get_mut(request).expect("live owner");
        let head = r.calls.replace(call);
        self.calls.get_mut(call).expect("live call").next_sibling = head;
    }

    /// Takes `call` (already removed from the slab, `next` its successor) off the list of its
    /// owner `request`, if the owner is still live.
    pub(super) fn unlink_call(&mut self, request: Key, call: Key, next: Option<Key>) {
        let Some(r) = self.requests.get_mut(request) else {
            return;
        };
        if r.calls == Some(call) {
            r.calls = next;
            return;
        }
        let mut at = r.calls;
        while let Some(k) = at {
            let c = self.calls.get_mut(k).expect("listed calls are live");
            if c.next_sibling == Some(call) {
                c.next_sibling = next;
                return;
            }
            at = c.next_sibling;
        }
        unreachable!("a call of a live request is on its list");
    }

    /// Whether a request arriving for a call of `owner` is abandoned from birth: the request
    /// that made the call has ended or been abandoned.
    #[inline]
    pub(super) fn owner_is_gone(&self, owner: CallOwner) -> bool {
        match owner {
            CallOwner::Request(r) => self.requests.get(r).is_none_or(|r| r.abandoned),
            CallOwner::User { .. } | CallOwner::Client { .. } | CallOwner::Deferred => false,
        }
    }
}
