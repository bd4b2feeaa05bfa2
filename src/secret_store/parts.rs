//! Values stored in parts. A value longer than [`PART_SIZE`] bytes (or one
//! that looks like an index) is written as parts `part:<gen>:<i>:<account>`
//! first, then the entry itself gets the index
//! `stauth-parts:v1:<gen>:<count>:<sha256 of the value>`. A fresh `gen` per
//! write means the old parts stay valid until the new index replaces the old
//! one: readers see the old value or the new one, and a failed write removes
//! the parts it wrote and leaves the old value as it was.

use sha2::{Digest, Sha256};

use super::backend::{Backend, BackendError};
use super::PART_SIZE;
use crate::secret::Secret;

const INDEX_PREFIX: &str = "stauth-parts:v1:";

#[derive(Debug)]
pub(crate) enum PartsError {
    Backend(BackendError),
    /// An index whose parts are missing or do not add up.
    Damaged(String),
}

impl From<BackendError> for PartsError {
    fn from(e: BackendError) -> Self {
        PartsError::Backend(e)
    }
}

struct Index {
    gen: String,
    count: usize,
    digest: String,
}

impl Index {
    fn parse(text: &str) -> Option<Result<Index, PartsError>> {
        let rest = text.strip_prefix(INDEX_PREFIX)?;
        let fields: Vec<&str> = rest.split(':').collect();
        let damaged = || PartsError::Damaged("its index entry is malformed".into());
        let [gen, count, digest] = fields.as_slice() else {
            return Some(Err(damaged()));
        };
        let Ok(count) = count.parse::<usize>() else {
            return Some(Err(damaged()));
        };
        Some(Ok(Index {
            gen: gen.to_string(),
            count,
            digest: digest.to_string(),
        }))
    }

    fn render(&self) -> String {
        format!("{INDEX_PREFIX}{}:{}:{}", self.gen, self.count, self.digest)
    }

    fn part(&self, i: usize, account: &str) -> String {
        format!("part:{}:{i}:{account}", self.gen)
    }
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The value of `account`, put together from its parts when it has them.
pub fn read(b: &dyn Backend, account: &str) -> Result<Option<Secret>, PartsError> {
    let Some(stored) = b.get(account)? else {
        return Ok(None);
    };
    let stored = Secret::new(stored);
    let index = match Index::parse(stored.expose()) {
        None => return Ok(Some(stored)),
        Some(index) => index?,
    };
    let mut value = String::new();
    for i in 1..=index.count {
        match b.get(&index.part(i, account))? {
            Some(part) => value.push_str(&part),
            None => {
                return Err(PartsError::Damaged(format!(
                    "part {i} of {} is missing",
                    index.count
                )))
            }
        }
    }
    let value = Secret::new(value);
    if sha256_hex(value.expose()) != index.digest {
        return Err(PartsError::Damaged(
            "its parts do not add up to the value that was stored".into(),
        ));
    }
    Ok(Some(value))
}

/// Stores `value` under `account`, in parts when it is long.
pub fn write(b: &dyn Backend, account: &str, value: &str) -> Result<(), PartsError> {
    let old = b.get(account)?.and_then(|v| match Index::parse(&v) {
        Some(Ok(index)) => Some(index),
        _ => None,
    });
    if value.len() <= PART_SIZE && !value.starts_with(INDEX_PREFIX) {
        b.set(account, value)?;
    } else {
        let pieces = split(value, PART_SIZE);
        let index = Index {
            gen: fresh_gen(),
            count: pieces.len(),
            digest: sha256_hex(value),
        };
        let mut written = Vec::new();
        let result = (|| {
            for (i, piece) in pieces.iter().enumerate() {
                let part = index.part(i + 1, account);
                b.set(&part, piece)?;
                written.push(part);
            }
            b.set(account, &index.render())
        })();
        if let Err(e) = result {
            for part in &written {
                let _ = b.delete(part);
            }
            return Err(e.into());
        }
    }
    if let Some(old) = old {
        remove_parts(b, account, &old);
    }
    Ok(())
}

/// Removes `account` and its parts; false when it did not exist.
pub fn delete(b: &dyn Backend, account: &str) -> Result<bool, PartsError> {
    let old = b.get(account)?.and_then(|v| match Index::parse(&v) {
        Some(Ok(index)) => Some(index),
        _ => None,
    });
    let existed = b.delete(account)?;
    if let Some(old) = old {
        remove_parts(b, account, &old);
    }
    Ok(existed)
}

/// Best effort: a part left behind is unreachable (no index names it).
fn remove_parts(b: &dyn Backend, account: &str, index: &Index) {
    for i in 1..=index.count {
        let _ = b.delete(&index.part(i, account));
    }
}

/// Pieces of at most `size` bytes, cut between characters.
fn split(value: &str, size: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = value;
    while !rest.is_empty() {
        let mut cut = rest.len().min(size);
        while !rest.is_char_boundary(cut) {
            cut -= 1;
        }
        let (piece, tail) = rest.split_at(cut);
        pieces.push(piece);
        rest = tail;
    }
    if pieces.is_empty() {
        pieces.push("");
    }
    pieces
}

/// 8 random hex characters naming one write's parts.
fn fresh_gen() -> String {
    let mut bytes = [0u8; 4];
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        bytes = nanos.to_le_bytes();
    }
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::super::backend::Memory;
    use super::*;

    #[test]
    fn split_respects_characters() {
        let text = "é".repeat(700); // 1400 bytes
        let pieces = split(&text, PART_SIZE);
        assert_eq!(pieces.len(), 2);
        assert!(pieces.iter().all(|p| p.len() <= PART_SIZE));
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn long_values_round_trip_and_replacing_cleans_up() {
        let mem = Memory::default();
        let long = "k".repeat(PART_SIZE * 3 + 5);
        write(&mem, "acct", &long).unwrap();
        assert_eq!(mem.accounts_now().len(), 5, "4 parts and the index");
        assert_eq!(read(&mem, "acct").unwrap().unwrap().expose(), long);
        write(&mem, "acct", "short").unwrap();
        assert_eq!(mem.accounts_now(), vec!["acct".to_string()]);
        assert_eq!(read(&mem, "acct").unwrap().unwrap().expose(), "short");
    }

    #[test]
    fn a_value_that_looks_like_an_index_is_stored_in_parts() {
        let mem = Memory::default();
        let tricky = format!("{INDEX_PREFIX}abc:1:00");
        write(&mem, "acct", &tricky).unwrap();
        assert_eq!(read(&mem, "acct").unwrap().unwrap().expose(), tricky);
    }

    #[test]
    fn a_failed_write_keeps_the_old_value_and_leaves_no_parts() {
        let mem = Memory::default();
        let old = "o".repeat(PART_SIZE * 2);
        write(&mem, "acct", &old).unwrap();
        let before = mem.accounts_now();
        mem.fail_write_number(3);
        assert!(write(&mem, "acct", &"n".repeat(PART_SIZE * 4)).is_err());
        assert_eq!(mem.accounts_now(), before);
        assert_eq!(read(&mem, "acct").unwrap().unwrap().expose(), old);
    }

    #[test]
    fn missing_parts_are_reported() {
        let mem = Memory::default();
        write(&mem, "acct", &"x".repeat(PART_SIZE + 1)).unwrap();
        let part = mem
            .accounts_now()
            .into_iter()
            .find(|a| a.starts_with("part:"))
            .unwrap();
        mem.delete(&part).unwrap();
        assert!(matches!(read(&mem, "acct"), Err(PartsError::Damaged(_))));
        assert!(delete(&mem, "acct").unwrap());
        assert!(mem.accounts_now().is_empty());
    }
}
