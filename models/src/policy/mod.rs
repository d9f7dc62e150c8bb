//! Resilience policies as pure state machines: each takes the current time and an outcome and
//! returns a decision; the world owns all scheduling. Semantics follow the real libraries
//! (each module cites its public source; docs/scenarios.md lists them): AWS and Polly backoff, gRPC/Brooker/Envoy/Finagle retry
//! budgets, the lesson's, resilience4j's and Hystrix's circuit breakers, and semaphore bulkheads.

pub mod backoff;
pub mod breaker;
pub mod budget;
pub mod bulkhead;
