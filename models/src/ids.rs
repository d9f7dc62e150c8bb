//! Typed indices, so a pod index can never be used where a service index is meant.

macro_rules! index {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub u32);

        impl $name {
            /// The index as a `usize`, for indexing a `Vec`.
            #[inline(always)]
            pub fn idx(self) -> usize {
                self.0 as usize
            }
        }
    };
}

index!(
    /// A service, in scenario order.
    ServiceIdx
);
index!(
    /// A pod (a replica slot of a service); all pods of all services are numbered together.
    PodIdx
);
index!(
    /// A client (load generator), in scenario order.
    ClientIdx
);
index!(
    /// A call policy, in scenario order.
    PolicyIdx
);
index!(
    /// A call edge: (caller, callee service, policy), where the caller is a client or a service.
    EdgeIdx
);
index!(
    /// A fault, in scenario order.
    FaultIdx
);
index!(
    /// A caller site: one client-library instance (policies, pool, endpoint view) of an edge in
    /// one caller pod or client; all sites numbered together.
    SiteIdx
);
