//! What may be retried, and how long to wait before the next attempt.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::{HeaderMap, RETRY_AFTER};

/// The longest `Retry-After` honoured. A server asking for more gets no retry: the error is
/// returned with its `retry_after` so the caller can decide.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);

/// Statuses worth another attempt (the server may answer differently next time).
pub(crate) fn is_retryable_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// Methods a server can safely see twice.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// Exponential backoff with full jitter: a uniform wait in `[0, min(cap, base * 2^retry)]`.
pub(crate) fn backoff(retry: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base
        .checked_mul(1u32.checked_shl(retry).unwrap_or(u32::MAX))
        .unwrap_or(cap)
        .min(cap);
    ceiling.mul_f64(fastrand::f64())
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub(crate) fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if let Ok(seconds) = value.parse::<f64>() {
        if seconds.is_nan() || seconds < 0.0 {
            return None;
        }
        // Too large for a Duration: "longer than we would ever wait".
        return Some(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// Tokens a retry takes from the budget.
pub const RETRY_COST: u32 = 5;
/// Tokens a retry after a timeout takes (a timeout holds a connection the longest).
pub const TIMEOUT_RETRY_COST: u32 = 10;
/// Tokens a call that succeeds at its first attempt gives back.
pub const SUCCESS_REFILL: u32 = 1;

/// A client-wide retry budget, in the spirit of the AWS SDKs' retry quota and gRPC's retry
/// throttling: a token bucket that retries spend and successes refill. While an API fails
/// everywhere the bucket empties after `capacity / RETRY_COST` retries and every later call
/// fails with its own error at once, so clients add no retry storm to an outage; once calls
/// succeed again it fills back up. A call that succeeds after retrying returns what its last
/// retry took.
#[derive(Debug)]
pub(crate) struct RetryBudget {
    capacity: u32,
    tokens: AtomicU32,
}

impl RetryBudget {
    pub(crate) fn new(capacity: u32) -> RetryBudget {
        RetryBudget {
            capacity,
            tokens: AtomicU32::new(capacity),
        }
    }

    /// Takes `cost` tokens; false (nothing taken) when there are not that many.
    pub(crate) fn withdraw(&self, cost: u32) -> bool {
        self.tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                tokens.checked_sub(cost)
            })
            .is_ok()
    }

    /// Gives `amount` tokens back, up to the capacity.
    pub(crate) fn deposit(&self, amount: u32) {
        let _ = self
            .tokens
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |tokens| {
                Some(tokens.saturating_add(amount).min(self.capacity))
            });
    }

    #[cfg(test)]
    fn tokens(&self) -> u32 {
        self.tokens.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn backoff_stays_under_the_exponential_ceiling_and_the_cap() {
        let base = Duration::from_millis(500);
        let cap = Duration::from_secs(8);
        for retry in 0..40 {
            let ceiling = (base * 2u32.saturating_pow(retry.min(20))).min(cap);
            for _ in 0..50 {
                assert!(backoff(retry, base, cap) <= ceiling);
            }
        }
    }

    #[test]
    fn retry_after_accepts_seconds_and_dates() {
        let mut headers = HeaderMap::new();
        assert_eq!(parse_retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(7)));
        let later = SystemTime::now() + Duration::from_secs(30);
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_str(&httpdate::fmt_http_date(later)).unwrap(),
        );
        let parsed = parse_retry_after(&headers).unwrap();
        assert!(parsed > Duration::from_secs(27) && parsed <= Duration::from_secs(30));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&headers), None);
        // Absurd values must not panic; they mean "more than we wait".
        for absurd in ["99999999999999999999", "1e300"] {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(absurd));
            assert!(
                parse_retry_after(&headers).unwrap() > MAX_RETRY_AFTER,
                "{absurd}"
            );
        }
        for nonsense in ["-5", "NaN"] {
            headers.insert(RETRY_AFTER, HeaderValue::from_static(nonsense));
            assert_eq!(parse_retry_after(&headers), None, "{nonsense}");
        }
    }

    #[test]
    fn only_safe_methods_are_idempotent() {
        assert!(is_idempotent(&Method::GET));
        assert!(is_idempotent(&Method::DELETE));
        assert!(!is_idempotent(&Method::POST));
        assert!(!is_idempotent(&Method::PATCH));
    }

    #[test]
    fn the_budget_drains_with_retries_and_refills_with_successes() {
        let budget = RetryBudget::new(12);
        assert!(budget.withdraw(RETRY_COST) && budget.withdraw(RETRY_COST));
        assert!(!budget.withdraw(RETRY_COST), "2 tokens cannot pay a retry");
        assert_eq!(budget.tokens(), 2);
        assert!(!budget.withdraw(TIMEOUT_RETRY_COST));
        for _ in 0..3 {
            budget.deposit(SUCCESS_REFILL);
        }
        assert!(budget.withdraw(RETRY_COST));
        budget.deposit(100);
        assert_eq!(budget.tokens(), 12, "never above the capacity");
        let none = RetryBudget::new(0);
        none.deposit(SUCCESS_REFILL);
        assert!(!none.withdraw(RETRY_COST), "a zero budget never retries");
    }
}
