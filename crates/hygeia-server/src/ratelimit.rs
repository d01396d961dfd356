//! Rate limits per client address (or per account) and kind of request (sign-in, enrolment,
//! reports), as token buckets kept in memory: a restart forgets them, which only ever lets a
//! client in sooner.

use std::collections::HashMap;
use std::hash::Hash;
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

/// Buckets for one kind of request, keyed by client address (the default) or anything else
/// that names a caller: an account, a node key.
#[derive(Debug)]
pub struct RateLimiter<K = IpAddr> {
    limit: Limit,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
    max_tracked: usize,
}

/// Callers remembered at most; beyond that the least recently seen are forgotten.
const MAX_TRACKED: usize = 100_000;

/// The address a client's bucket is kept under: an IPv4 address as it is, an IPv6 address by
/// its /64, since one home or server gets a whole /64 and could otherwise take a new bucket for
/// every request.
pub fn bucket_address(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::V6(segments.into())
            }
        },
    }
}

impl RateLimiter<IpAddr> {
    /// Takes one request from the bucket of `client`'s address (its /64 for IPv6);
    /// `Err(seconds)` says how long to wait.
    pub fn check(&self, client: IpAddr) -> Result<(), u64> {
        self.check_key(bucket_address(client))
    }
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// A limiter with this limit.
    pub fn new(limit: Limit) -> RateLimiter<K> {
        RateLimiter::with_capacity(limit, MAX_TRACKED)
    }

    fn with_capacity(limit: Limit, max_tracked: usize) -> RateLimiter<K> {
        RateLimiter {
            limit,
            buckets: Mutex::new(HashMap::new()),
            max_tracked,
        }
    }

    /// Takes one request from `key`'s bucket; `Err(seconds)` says how long to wait.
    pub fn check_key(&self, key: K) -> Result<(), u64> {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= self.max_tracked && !buckets.contains_key(&key) {
            self.evict(&mut buckets, now);
        }
        let (tokens, at) = buckets.entry(key).or_insert((self.limit.burst, now));
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

    /// Makes room: full buckets (callers at rest) go first; if that is not enough, the least
    /// recently used half. Forgetting a bucket in use lets its caller in sooner, so the half
    /// dropped is the one that used the server longest ago. In batches, so that a flood of new
    /// callers costs a sort now and then, not one per request.
    fn evict(&self, buckets: &mut HashMap<K, (f64, Instant)>, now: Instant) {
        let limit = self.limit;
        buckets.retain(|_, (tokens, at)| refill(limit, *tokens, *at, now) < limit.burst);
        if buckets.len() * 10 >= self.max_tracked * 9 {
            let mut times: Vec<Instant> = buckets.values().map(|(_, at)| *at).collect();
            times.sort_unstable();
            let cutoff = times[times.len() / 2];
            buckets.retain(|_, (_, at)| *at > cutoff);
        }
    }

    #[cfg(test)]
    fn tracked(&self) -> usize {
        self.buckets.lock().map(|b| b.len()).unwrap_or(0)
    }
}

fn refill(limit: Limit, tokens: f64, at: Instant, now: Instant) -> f64 {
    let elapsed = now.duration_since(at).as_secs_f64();
    (tokens + elapsed * limit.per_minute / 60.0).min(limit.burst)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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

    #[test]
    fn ipv6_addresses_of_one_64_share_a_bucket() {
        let limiter = RateLimiter::new(Limit {
            burst: 2.0,
            per_minute: 1.0,
        });
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let elsewhere: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert!(limiter.check(one).is_ok());
        assert!(limiter.check(other).is_ok());
        assert!(
            limiter.check(one).is_err(),
            "a new address in the /64 got a new bucket"
        );
        assert!(limiter.check(elsewhere).is_ok());
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(bucket_address(mapped), IpAddr::from([192, 0, 2, 7]));
    }

    #[test]
    fn the_table_stays_bounded_and_keeps_recent_callers() {
        let limiter: RateLimiter<u32> = RateLimiter::with_capacity(
            Limit {
                burst: 2.0,
                per_minute: 1.0,
            },
            100,
        );
        // Every new key leaves a bucket that is not full, which a full-buckets-only eviction
        // never drops: the table must stay bounded anyway.
        for key in 0..1000 {
            assert!(limiter.check_key(key).is_ok());
            assert!(limiter.tracked() <= 100, "{} tracked", limiter.tracked());
        }
        // The most recent callers are still known.
        assert!(limiter.check_key(999).is_ok());
        assert!(limiter.check_key(999).is_err());
    }
}
