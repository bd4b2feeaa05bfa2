//! The probe's requests in one place: each answer is also looked at for
//! signs of replicas, and outcomes become words and verdicts.

use super::client::{Answer, Client, Outcome, Request};
use super::limit::{Refusal, Verdict};
use super::replicas::Replicas;
use super::stack::Stack;
use crate::oidc::http::NetError;

/// The client and what its answers showed about replicas.
pub(super) struct Session {
    pub client: Client,
    pub replicas: Replicas,
}

impl Session {
    pub fn send(&mut self, req: &Request<'_>) -> Result<Option<Outcome>, NetError> {
        let outcome = self.client.send(req)?;
        if let Some(Outcome::Answer(a)) = &outcome {
            self.replicas.observe(a);
        }
        Ok(outcome)
    }
}

/// "answered 404 (nginx/1.22.1)", "redirected to https://...", ...
pub(super) fn describe(outcome: &Outcome) -> String {
    match outcome {
        Outcome::Answer(a) => {
            let mut s = format!("answered {}", a.status);
            if let Some(title) = a.title() {
                s.push_str(&format!(" \"{title}\""));
            }
            if let Some(server) = a.header("server") {
                s.push_str(&format!(" from {server}"));
            }
            if (300..400).contains(&a.status) {
                if let Some(location) = a.header("location") {
                    let shown: String = location.chars().take(200).collect();
                    s.push_str(&format!(", to {shown}"));
                }
            }
            s
        }
        Outcome::Closed(detail) => format!("got no answer: the connection closed ({detail})"),
        Outcome::TimedOut => "got no answer before the deadline".into(),
    }
}

pub(super) fn verdict(outcome: &Outcome, pass: impl Fn(&Answer) -> bool) -> Verdict {
    match outcome {
        Outcome::Answer(a) if pass(a) => Verdict::Pass,
        Outcome::Answer(a) => Verdict::Refused(Refusal {
            what: {
                let mut what = a.status.to_string();
                if let Some(title) = a.title() {
                    what = title;
                }
                what
            },
            stack: Stack::recognise(a),
        }),
        other => Verdict::Refused(Refusal {
            what: describe(other).replace("got no answer: ", "no answer: "),
            stack: Stack::Unknown,
        }),
    }
}
