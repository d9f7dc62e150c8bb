//! models: clients, services, pods, probes, pools, faults and policies.
