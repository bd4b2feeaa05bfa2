//! Fuzzes test-login's callback listener on what any local process can send
//! to its loopback port: the request head parser, the Host check and the
//! callback classifier, with the bytes whole and as they arrive in pieces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use stauth::oidc::loopback::{classify, host_is_loopback, parse_request_head, HeadError, Stray};

const PATH: &str = "/oauth2callback";
const STATE: &str = "fuzz-state-0123456789";

fuzz_target!(|data: &[u8]| {
    match parse_request_head(data) {
        Ok(head) => {
            assert!(head.len <= data.len());
            assert!(head.target.starts_with('/'));
            if let Some(host) = &head.host {
                let _ = host_is_loopback(host, 8501);
                let _ = host_is_loopback(host, 80);
            }
            match classify(&head.target, PATH, STATE) {
                Ok(_) => {}
                Err(stray) => {
                    // The warning text quotes the request: never a control character.
                    let text = stray.explain();
                    assert!(!text.chars().any(char::is_control), "{text:?}");
                    assert!(stray.status() == 404 || stray.status() == 400);
                }
            }
            // Until its last byte has arrived, a head is incomplete.
            let cut = &data[..head.len - 1];
            assert_eq!(parse_request_head(cut), Err(HeadError::Incomplete));
        }
        Err(HeadError::Incomplete | HeadError::TooLarge) => {}
        Err(e) => {
            let text = Stray::Malformed(e).explain();
            assert!(!text.chars().any(char::is_control));
        }
    }
    // The same bytes as a pasted path (`--manual`) and as a Host value.
    let text = String::from_utf8_lossy(data);
    let _ = classify(&text, PATH, STATE);
    let _ = host_is_loopback(&text, 8501);
});
