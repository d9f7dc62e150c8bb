//! The real systems' defaults, in one place, each with its public source: Kubernetes (probes,
//! termination, CrashLoopBackOff), httpx (timeouts, pool limits), resilience4j (circuit breaker,
//! bulkhead), Hystrix (circuit breaker) and the AWS SDKs (retries). The modules that use them
//! re-export them under their old names; docs/scenarios.md lists them per scenario key.
//!
//! The defaults of the other libraries meshsim follows stay next to their one user: the
//! lesson's breaker and bulkhead (`policy::breaker::config`, `policy::bulkhead`), gRPC, Envoy,
//! Polly and tenacity backoffs (`policy::backoff`), gRPC, Brooker, Envoy and Finagle budgets
//! (`policy::budget`).

use sim_core::time::SimDuration;

// Kubernetes. Probes: https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes
// (`periodSeconds`, `timeoutSeconds`, `successThreshold`, `failureThreshold`); termination:
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination; restart
// back-off: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts
// and the kubelet's `pkg/kubelet/kubelet.go` (`backOffPeriod`, `MaxContainerBackOff`) with
// `client-go/util/flowcontrol/backoff.go`.

/// Kubernetes `periodSeconds` default.
pub const PROBE_PERIOD: SimDuration = SimDuration::from_secs(10);
/// Kubernetes `timeoutSeconds` default.
pub const PROBE_TIMEOUT: SimDuration = SimDuration::from_secs(1);
/// Kubernetes `successThreshold` default.
pub const PROBE_SUCCESS_THRESHOLD: u32 = 1;
/// Kubernetes `failureThreshold` default.
pub const PROBE_FAILURE_THRESHOLD: u32 = 3;
/// Kubernetes `terminationGracePeriodSeconds` default.
pub const TERMINATION_GRACE: SimDuration = SimDuration::from_secs(30);
/// CrashLoopBackOff: the first non-zero back-off.
pub const BACKOFF_INITIAL: SimDuration = SimDuration::from_secs(10);
/// CrashLoopBackOff: the back-off cap.
pub const BACKOFF_MAX: SimDuration = SimDuration::from_secs(300);
/// CrashLoopBackOff: a container that ran this long resets the back-off.
pub const BACKOFF_RESET_AFTER: SimDuration = SimDuration::from_secs(600);

// httpx: https://www.python-httpx.org/advanced/timeouts/ and
// https://www.python-httpx.org/advanced/resource-limits/ (`httpx/_config.py`:
// `DEFAULT_TIMEOUT_CONFIG`, `DEFAULT_LIMITS`).

/// httpx `Timeout(5.0)`: connect, read, write and pool timeouts.
pub const HTTPX_TIMEOUT: SimDuration = SimDuration::from_secs(5);
/// httpx `Limits.max_connections`.
pub const HTTPX_MAX_CONNECTIONS: u32 = 100;
/// httpx `Limits.max_keepalive_connections`.
pub const HTTPX_MAX_KEEPALIVE: u32 = 20;
/// httpx `Limits.keepalive_expiry`: 5 s.
pub const HTTPX_KEEPALIVE_EXPIRY: SimDuration = SimDuration::from_secs(5);

// resilience4j: https://resilience4j.readme.io/docs/circuitbreaker and
// https://resilience4j.readme.io/docs/bulkhead (`CircuitBreakerConfig.java`,
// `BulkheadConfig.java` in github.com/resilience4j/resilience4j).

/// resilience4j default `slidingWindowSize` (COUNT_BASED): 100 calls.
pub const R4J_SLIDING_WINDOW_SIZE: u32 = 100;
/// resilience4j default `minimumNumberOfCalls`: 100.
pub const R4J_MINIMUM_CALLS: u32 = 100;
/// resilience4j default `failureRateThreshold`: 50 (%).
pub const R4J_FAILURE_RATE_THRESHOLD: f64 = 50.0;
/// resilience4j default `slowCallRateThreshold`: 100 (%).
pub const R4J_SLOW_CALL_RATE_THRESHOLD: f64 = 100.0;
/// resilience4j default `slowCallDurationThreshold`: 60 s.
pub const R4J_SLOW_CALL_DURATION: SimDuration = SimDuration::from_secs(60);
/// resilience4j default `waitDurationInOpenState`: 60 s.
pub const R4J_WAIT_IN_OPEN: SimDuration = SimDuration::from_secs(60);
/// resilience4j default `permittedNumberOfCallsInHalfOpenState`: 10.
pub const R4J_PERMITTED_IN_HALF_OPEN: u32 = 10;
/// resilience4j default `automaticTransitionFromOpenToHalfOpenEnabled`: false.
pub const R4J_AUTOMATIC_TRANSITION: bool = false;
/// resilience4j `SemaphoreBulkhead` default `maxConcurrentCalls`: 25.
pub const R4J_MAX_CONCURRENT_CALLS: u32 = 25;
/// resilience4j `SemaphoreBulkhead` default `maxWaitDuration`: 0 (reject at once when full).
pub const R4J_MAX_WAIT: SimDuration = SimDuration::ZERO;

// Hystrix: https://github.com/Netflix/Hystrix/wiki/Configuration
// (`HystrixCommandProperties.java`).

/// Hystrix default `metrics.rollingStats.timeInMilliseconds`: 10 s.
pub const HYSTRIX_WINDOW: SimDuration = SimDuration::from_secs(10);
/// Hystrix default `circuitBreaker.requestVolumeThreshold`: 20 requests.
pub const HYSTRIX_REQUEST_VOLUME: u32 = 20;
/// Hystrix default `circuitBreaker.errorThresholdPercentage`: 50 (%).
pub const HYSTRIX_ERROR_PERCENT: f64 = 50.0;
/// Hystrix default `circuitBreaker.sleepWindowInMilliseconds`: 5 s.
pub const HYSTRIX_SLEEP_WINDOW: SimDuration = SimDuration::from_secs(5);
/// Hystrix default `metrics.rollingStats.numBuckets`: 10.
pub const HYSTRIX_BUCKETS: u32 = 10;

// AWS SDKs, "standard" retry mode:
// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html (max attempts,
// max backoff) and aws-sdk-java-v2's `SdkDefaultRetrySetting.java` (base delay).

/// Default `retry.max_attempts` (AWS SDK standard mode; resilience4j's `maxAttempts` too): 3.
pub const AWS_SDK_MAX_ATTEMPTS: u32 = 3;
/// AWS SDK "standard" retry mode: base delay 100 ms (full jitter).
pub const AWS_SDK_BASE_DELAY: SimDuration = SimDuration::from_millis(100);
/// AWS SDK "standard" retry mode: maximum backoff 20 s.
pub const AWS_SDK_MAX_BACKOFF: SimDuration = SimDuration::from_secs(20);
