//! Bounded reads of files and stdin. Only regular files are read as files (a
//! FIFO, device or socket could block forever or never end), and every read
//! stops at a cap, so `/dev/zero` or an endless pipe ends in a clear error.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use crate::limits::human_size;

/// An `io::Error` saying the input passed its cap.
fn too_large(what: &str, cap: u64) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!(
            "{what} is larger than stauth's {} limit for it",
            human_size(cap)
        ),
    )
}

/// Reads at most `cap` bytes from `reader`; more is an `InvalidData` error.
pub fn read_capped(reader: impl Read, cap: u64, what: &str) -> io::Result<Vec<u8>> {
    let mut buf = Vec::new();
    reader.take(cap + 1).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(too_large(what, cap));
    }
    Ok(buf)
}

/// Opens `path` for reading only if it is a regular file (after following
/// links). On Unix the file is opened non-blocking and checked with fstat, so
/// a FIFO swapped in after a check cannot hang the open.
pub fn open_regular(path: &Path) -> io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    // A FIFO with no writer would block a plain open; check the type first
    // (the fstat below is the authoritative check).
    if let Ok(meta) = std::fs::metadata(path) {
        if !meta.is_file() {
            return Err(not_regular(&meta));
        }
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(not_regular(&meta));
    }
    Ok(file)
}

fn not_regular(meta: &std::fs::Metadata) -> io::Error {
    let kind = file_kind(meta);
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("it is {kind}, not a regular file; stauth reads only regular files"),
    )
}

fn file_kind(meta: &std::fs::Metadata) -> &'static str {
    let ft = meta.file_type();
    if ft.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_fifo() {
            return "a FIFO (named pipe)";
        }
        if ft.is_char_device() {
            return "a character device";
        }
        if ft.is_block_device() {
            return "a block device";
        }
        if ft.is_socket() {
            return "a socket";
        }
    }
    "a special file"
}

/// The bytes of the regular file at `path`, at most `cap` of them.
pub(crate) fn read_file_capped(path: &Path, cap: u64) -> io::Result<Vec<u8>> {
    let file = open_regular(path)?;
    read_capped(file, cap, "the file")
}

/// The regular file at `path` as UTF-8 text, at most `cap` bytes.
pub fn read_text_capped(path: &Path, cap: u64) -> io::Result<String> {
    let bytes = read_file_capped(path, cap)?;
    String::from_utf8(bytes)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

/// Standard input as UTF-8 text, at most `cap` bytes.
pub fn read_stdin_capped(cap: u64, what: &str) -> io::Result<String> {
    let bytes = read_capped(io::stdin().lock(), cap, &format!("{what} on stdin"))?;
    String::from_utf8(bytes).map_err(|_| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("{what} on stdin is not UTF-8 text"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_small_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a");
        std::fs::write(&p, "hello").unwrap();
        assert_eq!(read_text_capped(&p, 5).unwrap(), "hello");
        let err = read_text_capped(&p, 4).unwrap_err();
        assert!(
            err.to_string()
                .contains("larger than stauth's 4 bytes limit"),
            "{err}"
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_dirs_and_fifos_without_blocking() {
        let err = read_file_capped(Path::new("/dev/zero"), 10).unwrap_err();
        assert!(err.to_string().contains("a character device"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = read_file_capped(dir.path(), 10).unwrap_err();
        assert!(err.to_string().contains("a directory"), "{err}");
        let fifo = dir.path().join("fifo");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let err = read_file_capped(&fifo, 10).unwrap_err();
        assert!(err.to_string().contains("FIFO"), "{err}");
        let link = dir.path().join("link");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        assert!(read_file_capped(&link, 10).is_err());
    }

    #[test]
    fn endless_reader_stops_at_the_cap() {
        let err = read_capped(io::repeat(0), 1024, "the token").unwrap_err();
        assert!(
            err.to_string()
                .contains("the token is larger than stauth's 1 KiB"),
            "{err}"
        );
    }
}
