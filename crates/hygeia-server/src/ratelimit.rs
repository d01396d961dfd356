//! Rate limits per client address and kind of request (sign-in, enrolment), as token buckets
//! kept in memory: a restart forgets them, which only ever lets a client in sooner.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// A limit: `burst` requests at once, then `per_minute` on average.
#[derive(Debug, Clone, Copy)]
pub struct Limit {
    /// Requests allowed at once.
    pub burst: f64,
    /// Sustained requests per minute.
    pub per_minute: f64,
}

/// Buckets for one kind of request.
#[derive(Debug)]
pub struct RateLimiter {
    limit: Limit,
    buckets: Mutex<HashMap<IpAddr, (f64, Instant)>>,
}

/// Addresses remembered at most; beyond that full buckets are dropped first.
const MAX_TRACKED: usize = 100_000;

impl RateLimiter {
    /// A limiter with this limit.
    pub fn new(limit: Limit) -> RateLimiter {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `client`'s bucket; `Err(seconds)` says how long to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_TRACKED {
            let limit = self.limit;
            buckets.retain(|_, (tokens, at)| refill(limit, *tokens, *at, now) < limit.burst);
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.limit.burst, now));
        let available = refill(self.limit, *tokens, *at, now);
        if available >= 1.0 {
            *tokens = available - 1.0;
            *at = now;
            Ok(())
        } else {
            let per_second = self.limit.per_minute / 60.0;
            Err(((1.0 - available) / per_second).ceil().max(1.0) as u64)
        }
    }
}

fn refill(limit: Limit, tokens: f64, at: Instant, now: Instant) -> f64 {
    let elapsed = now.duration_since(at).as_secs_f64();
    (tokens + elapsed * limit.per_minute / 60.0).min(limit.burst)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_refusal_per_address() {
        let limiter = RateLimiter::new(Limit {
            burst: 3.0,
            per_minute: 6.0,
        });
        let a: IpAddr = [192, 0, 2, 1].into();
        let b: IpAddr = [192, 0, 2, 2].into();
        assert!((0..3).all(|_| limiter.check(a).is_ok()));
        let wait = limiter.check(a);
        assert!(matches!(wait, Err(s) if (1..=10).contains(&s)));
        assert!(limiter.check(b).is_ok());
    }
}
