//! The largest `Cookie` header a stack lets through, found with bounded,
//! growing requests and then a bisection.

use super::stack::Stack;

/// The first size tried.
pub const START_BYTES: usize = 1024;
/// The largest size tried: past it the stack is taken as unlimited.
pub const MAX_BYTES: usize = crate::limits::PROBE_COOKIE_BYTES;
/// The bisection stops when the gap is this small.
const PRECISION_BYTES: usize = 8;

/// Why a request with a large header did not pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// "400 Request Header Or Cookie Too Large", "the connection closed", ...
    pub what: String,
    /// Who refused, as far as the answer says.
    pub stack: Stack,
}

/// One try's verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Refused(Refusal),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CookieLimit {
    /// The largest size that passed (0: not even [`START_BYTES`]).
    pub accepted: usize,
    /// The smallest size refused, and how (None: all passed up to [`MAX_BYTES`]).
    pub refused: Option<(usize, Refusal)>,
    /// The request budget ran out before the search ended.
    pub unfinished: bool,
}

impl CookieLimit {
    /// Whether a header of `bytes` is known to pass.
    pub fn passes(&self, bytes: usize) -> bool {
        bytes <= self.accepted
    }
}

/// Grows from [`START_BYTES`] by doubling to [`MAX_BYTES`], then bisects
/// between the last size that passed and the first refused. `try_size`
/// returns None when no request may be sent any more.
pub fn search(mut try_size: impl FnMut(usize) -> Option<Verdict>) -> CookieLimit {
    let mut limit = CookieLimit {
        accepted: 0,
        refused: None,
        unfinished: false,
    };
    let mut size = START_BYTES;
    loop {
        match try_size(size) {
            None => {
                limit.unfinished = true;
                return limit;
            }
            Some(Verdict::Pass) => limit.accepted = size,
            Some(Verdict::Refused(r)) => {
                limit.refused = Some((size, r));
                break;
            }
        }
        if size == MAX_BYTES {
            return limit;
        }
        size = (size * 2).min(MAX_BYTES);
    }
    while let Some((refused_at, _)) = &limit.refused {
        let refused_at = *refused_at;
        if refused_at - limit.accepted <= PRECISION_BYTES || limit.accepted == 0 {
            break;
        }
        let mid = limit.accepted + (refused_at - limit.accepted) / 2;
        match try_size(mid) {
            None => {
                limit.unfinished = true;
                break;
            }
            Some(Verdict::Pass) => limit.accepted = mid,
            Some(Verdict::Refused(r)) => limit.refused = Some((mid, r)),
        }
    }
    limit
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal() -> Refusal {
        Refusal {
            what: "400".into(),
            stack: Stack::Nginx,
        }
    }

    fn against(limit: usize) -> (CookieLimit, Vec<usize>) {
        let mut tried = Vec::new();
        let found = search(|n| {
            tried.push(n);
            Some(if n <= limit {
                Verdict::Pass
            } else {
                Verdict::Refused(refusal())
            })
        });
        (found, tried)
    }

    #[test]
    fn finds_nginx_default_within_precision_in_few_requests() {
        let (found, tried) = against(8182);
        assert!(
            found.accepted <= 8182 && 8182 - found.accepted <= PRECISION_BYTES,
            "{found:?}"
        );
        let (refused_at, _) = found.refused.clone().unwrap();
        assert!(refused_at > 8182 && refused_at - found.accepted <= PRECISION_BYTES);
        assert!(tried.len() <= 18, "{tried:?}");
        assert!(!found.unfinished);
    }

    #[test]
    fn stops_at_the_cap_when_everything_passes() {
        let (found, tried) = against(usize::MAX);
        assert_eq!(found.accepted, MAX_BYTES);
        assert!(found.refused.is_none());
        assert_eq!(tried, [1024, 2048, 4096, 8192, 16384, 32768, 65536]);
    }

    #[test]
    fn a_stack_that_refuses_even_1_kib() {
        let (found, tried) = against(10);
        assert_eq!(found.accepted, 0);
        assert_eq!(tried, [1024]);
    }

    #[test]
    fn an_exhausted_budget_is_reported() {
        let mut left = 3;
        let found = search(|n| {
            if left == 0 {
                return None;
            }
            left -= 1;
            Some(if n <= 5000 {
                Verdict::Pass
            } else {
                Verdict::Refused(refusal())
            })
        });
        assert!(found.unfinished);
        assert_eq!(found.accepted, 4096);
    }
}
