//! Reading input with a size cap: at most `max` bytes from a reader or a file, in bounded
//! memory and time, and a typed error past the cap (`--file /dev/zero` fails after `max + 1`
//! bytes instead of growing without end). The one helper every program of the workspace uses
//! for the input it reads: the `atlas-api` CLI's request body, cassette files, and the caps
//! below.

use std::fmt;
use std::io::Read;
use std::path::Path;

/// The largest request body the `atlas-api` CLI reads (`--data`, `--file PATH`, `--file -`)
/// and the fake Atlas accepts (larger: 413 `PAYLOAD_TOO_LARGE`): 1 MiB, far above any body of
/// the endpoints in the table (an invitation or a user is well under 1 KiB).
pub const MAX_REQUEST_BODY_BYTES: u64 = 1 << 20;

/// The largest cassette file [`Cassette::load`](crate::cassette::Cassette::load) reads (and
/// with it [`Player::load`](crate::cassette::Player::load) and the recorder's `new-episodes`):
/// 64 MiB, room for 16 responses at the clients' 4 MiB response body cap.
pub const MAX_CASSETTE_BYTES: u64 = 64 << 20;

/// The longest value a command-line flag of `fake-atlas` takes (keys, names, ids): 4 KiB.
pub const MAX_FLAG_BYTES: usize = 4 << 10;

/// Why input could not be read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReadError {
    /// More than `max` bytes arrived; reading stopped at `max + 1`.
    TooLarge {
        /// The cap, in bytes.
        max: u64,
    },
    /// The reader or the file failed (not found, permission, not UTF-8 for text).
    Io(std::io::Error),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge { max } => write!(f, "larger than the cap of {max} bytes"),
            ReadError::Io(e) => write!(f, "cannot read it: {e}"),
        }
    }
}

impl std::error::Error for ReadError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReadError::Io(e) => Some(e),
            ReadError::TooLarge { .. } => None,
        }
    }
}

/// Reads everything `reader` gives, if that is at most `max` bytes; stops after `max + 1`.
///
/// ```
/// use atlas_admin_testing::bounded::{self, ReadError};
/// assert_eq!(bounded::read(&b"abc"[..], 3).unwrap(), b"abc");
/// assert!(matches!(bounded::read(std::io::repeat(0), 1024), Err(ReadError::TooLarge { max: 1024 })));
/// ```
pub fn read(reader: impl Read, max: u64) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    reader.take(max.saturating_add(1)).read_to_end(&mut bytes).map_err(ReadError::Io)?;
    if bytes.len() as u64 > max {
        return Err(ReadError::TooLarge { max });
    }
    Ok(bytes)
}

/// [`read`] as UTF-8 text.
pub fn read_text(reader: impl Read, max: u64) -> Result<String, ReadError> {
    String::from_utf8(read(reader, max)?)
        .map_err(|e| ReadError::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, e.utf8_error())))
}

/// [`read_text`] of the file at `path` (a device or a pipe too: `/dev/zero` fails at the cap).
pub fn read_file_text(path: impl AsRef<Path>, max: u64) -> Result<String, ReadError> {
    read_text(std::fs::File::open(path).map_err(ReadError::Io)?, max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_up_to_the_cap_and_refuses_one_byte_more() {
        assert_eq!(read(&b""[..], 0).unwrap(), b"");
        assert_eq!(read(&[7_u8; 16][..], 16).unwrap(), vec![7; 16]);
        assert!(matches!(read(&[7_u8; 17][..], 16), Err(ReadError::TooLarge { max: 16 })));
        assert!(
            matches!(read_text(&[0xff_u8][..], 16), Err(ReadError::Io(e)) if e.kind() == std::io::ErrorKind::InvalidData)
        );
    }

    /// An endless reader ends at the cap (bounded memory and time).
    #[test]
    fn an_endless_input_fails_at_the_cap() {
        assert!(matches!(read(std::io::repeat(b'x'), MAX_REQUEST_BODY_BYTES), Err(ReadError::TooLarge { .. })));
        #[cfg(unix)]
        assert!(matches!(read_file_text("/dev/zero", 1 << 10), Err(ReadError::TooLarge { max: 1024 })));
        assert!(matches!(read_file_text("/nonexistent/file", 10), Err(ReadError::Io(_))));
    }
}
