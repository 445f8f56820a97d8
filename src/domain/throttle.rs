//! Sign-in throttling (khoá tạm khi đăng nhập sai nhiều lần): which keys an attempt counts
//! against, and how failed attempts on one key turn into a lock, as pure functions over the
//! stored state.
//!
//! An attempt counts against two keys ([`sign_in_keys`]): the **account** when the login
//! names one, whatever name was typed (email or member code: both lead to the same lock), or
//! else the **login as typed** (a digest, so that unknown logins lock alike and nothing typed
//! is stored); and the **client's address**. Every attempt that does not open a session is a
//! failure: a wrong password, and equally a right one refused because the account is disabled
//! or its union has stopped operating, so that guessing such an account's password is bounded
//! exactly as on any other.
//!
//! A key's failures are counted until it has been quiet for `reset_minutes`. From the
//! `max_failures`-th failure on, the key is locked: `lock_seconds` at first, doubling with each
//! further failure, never longer than `max_lock_seconds`. Attempts refused while locked are not
//! counted (they were never checked), so a lock ends when it says it will.

use chrono::{NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

/// The limits of one kind of key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThrottlePolicy {
    /// Failures that lock the key.
    pub max_failures: i32,
    /// The first lock, in seconds.
    pub lock_seconds: i64,
    /// The longest lock, in seconds.
    pub max_lock_seconds: i64,
    /// Quiet minutes after which the count starts again.
    pub reset_minutes: i64,
}

/// What is stored for a key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Failures counted.
    pub failures: i32,
    /// The latest failure.
    pub last_failure_at: NaiveDateTime,
    /// Locked until then, if locked at all.
    pub locked_until: Option<NaiveDateTime>,
}

impl ThrottlePolicy {
    /// The state after one more failure at `now`.
    pub fn after_failure(&self, prev: Option<&ThrottleState>, now: NaiveDateTime) -> ThrottleState {
        let reset = TimeDelta::minutes(self.reset_minutes.max(0));
        let failures = match prev {
            Some(p) if p.last_failure_at + reset > now => p.failures.saturating_add(1),
            _ => 1,
        };
        let locked_until = (self.max_failures > 0 && failures >= self.max_failures).then(|| {
            let doublings = u32::try_from(failures - self.max_failures)
                .unwrap_or(0)
                .min(30);
            let seconds = self
                .lock_seconds
                .max(1)
                .saturating_mul(1i64 << doublings)
                .min(self.max_lock_seconds.max(1));
            now + TimeDelta::seconds(seconds)
        });
        ThrottleState {
            failures,
            last_failure_at: now,
            locked_until,
        }
    }
}

impl ThrottleState {
    /// Whole seconds until the key may try again (at least 1), or `None` when it is not locked.
    pub fn retry_after(&self, now: NaiveDateTime) -> Option<i64> {
        let until = self.locked_until?;
        (until > now).then(|| {
            let ms = (until - now).num_milliseconds();
            ((ms + 999) / 1000).max(1)
        })
    }
}

/// The throttle key of an account, whatever name it was signed in with.
fn account_key(user_id: i64) -> String {
    format!("account:{user_id}")
}

/// The throttle key of a login that names no account: a digest of it as typed (trimmed,
/// lower case), so that unknown logins are limited like known ones and nothing typed is
/// stored.
fn login_key(login: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(login.trim().to_lowercase().as_bytes());
    format!("login:{}", hex::encode(&digest[..16]))
}

/// The throttle key of an address: IPv4 as is, IPv6 by its /64 (one household or phone
/// network holds a whole /64).
pub fn address_key(address: &str) -> String {
    match address.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(ip) => format!("addr:{ip}"),
        Err(_) => format!("addr:{}", address.chars().take(64).collect::<String>()),
    }
}

/// The keys a sign-in attempt counts against: `[name, address]`, where the name is the
/// account (`account` is the id the login resolved to) or, for a login that names no
/// account, the login as typed. Known and unknown logins count against the same number of
/// keys, so the work done does not tell them apart.
pub fn sign_in_keys(login: &str, account: Option<i64>, address: &str) -> [String; 2] {
    let name = match account {
        Some(id) => account_key(id),
        None => login_key(login),
    };
    [name, address_key(address)]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_counts_as_one_whatever_name_is_typed() {
        let by_email = sign_in_keys("Member.A@test.vn", Some(7), "203.0.113.7");
        let by_code = sign_in_keys("MEMBER-A", Some(7), "203.0.113.7");
        assert_eq!(by_email, by_code);
        assert_ne!(
            sign_in_keys("MEMBER-A", Some(8), "203.0.113.7")[0],
            by_email[0]
        );
        // Unknown logins count as typed (folded), and never as an account.
        let unknown = sign_in_keys(" Ai.Do@test.vn ", None, "203.0.113.7");
        assert_eq!(unknown, sign_in_keys("ai.do@test.vn", None, "203.0.113.7"));
        assert!(unknown[0].starts_with("login:") && !unknown[0].contains("ai.do"));
        assert_ne!(unknown[0], sign_in_keys("ai.khac@test.vn", None, "x")[0]);
    }

    #[test]
    fn addresses_are_counted_by_host_or_by_ipv6_network() {
        assert_eq!(address_key("203.0.113.7"), "addr:203.0.113.7");
        assert_eq!(
            address_key("2001:db8:1:2:aaaa::1"),
            address_key("2001:db8:1:2:bbbb::9")
        );
        assert_ne!(
            address_key("2001:db8:1:2::1"),
            address_key("2001:db8:1:3::1")
        );
        assert_eq!(address_key("::ffff:203.0.113.7"), "addr:203.0.113.7");
    }

    fn at(seconds: i64) -> NaiveDateTime {
        chrono::DateTime::from_timestamp(1_790_000_000 + seconds, 0)
            .unwrap()
            .naive_utc()
    }

    const LOGIN: ThrottlePolicy = ThrottlePolicy {
        max_failures: 5,
        lock_seconds: 60,
        max_lock_seconds: 1800,
        reset_minutes: 60,
    };

    #[test]
    fn the_fifth_failure_locks_for_a_minute_and_each_further_one_doubles_it() {
        let mut state = None;
        for i in 0..4 {
            let s = LOGIN.after_failure(state.as_ref(), at(i));
            assert_eq!(s.retry_after(at(i)), None, "failure {}", i + 1);
            state = Some(s);
        }
        let fifth = LOGIN.after_failure(state.as_ref(), at(10));
        assert_eq!(fifth.failures, 5);
        assert_eq!(fifth.retry_after(at(10)), Some(60));
        assert_eq!(fifth.retry_after(at(69)), Some(1));
        assert_eq!(fifth.retry_after(at(70)), None);
        let sixth = LOGIN.after_failure(Some(&fifth), at(80));
        assert_eq!(sixth.retry_after(at(80)), Some(120));
        let mut s = sixth;
        for i in 0..20 {
            s = LOGIN.after_failure(Some(&s), at(10_000 + i));
        }
        assert_eq!(s.retry_after(at(10_019)), Some(1800), "capped");
    }

    #[test]
    fn a_quiet_hour_starts_the_count_again() {
        let mut s = LOGIN.after_failure(None, at(0));
        for i in 1..4 {
            s = LOGIN.after_failure(Some(&s), at(i));
        }
        assert_eq!(s.failures, 4);
        let later = LOGIN.after_failure(Some(&s), at(3 + 3600));
        assert_eq!(later.failures, 1);
        assert_eq!(later.retry_after(at(3 + 3600)), None);
    }

    #[test]
    fn a_zero_limit_never_locks() {
        let off = ThrottlePolicy {
            max_failures: 0,
            ..LOGIN
        };
        let mut s = off.after_failure(None, at(0));
        for i in 1..100 {
            s = off.after_failure(Some(&s), at(i));
        }
        assert_eq!(s.retry_after(at(100)), None);
    }
}
