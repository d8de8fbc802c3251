//! Running an operation the typed table does not have: a catalog [`Custom`] whose flags are
//! set by their spec names and checked by the operation's entry (values, required ones,
//! repeated arrays, the version among the entry's, envelope/pretty, the body), all before a
//! client exists. Its answer is printed as JSON, walked page by page (`--all-pages`, the same
//! walk as the typed lists), or, for a download, written to `--output FILE` atomically or to
//! stdout as raw bytes.

use super::{Failure, Run};
use atlas_admin_testing::files::write_atomically;
use atlas_admin_ureq::Error;
use atlas_admin_ureq::core::ops::Custom;
use atlas_admin_ureq::core::{Config, Endpoint, Execute, Operation, SuccessBody, unsigned_request};
use serde_json::Value;
use std::io::{IsTerminal as _, Write as _};
use std::path::Path;

/// The largest answer a download reads by default (`--max-bytes` sets another): host logs and
/// CSV exports run well past the 4 MiB of a JSON answer. The bytes are held in memory, then
/// written.
pub(crate) const DOWNLOAD_MAX_BYTES: u64 = 1 << 30;

/// Whether `e` answers a download here: always, or, for an operation answering JSON or bytes,
/// when `--output` asks for the bytes.
pub(crate) fn is_download(e: &Endpoint, output: Option<&str>) -> bool {
    match e.output {
        SuccessBody::Bytes { .. } => true,
        SuccessBody::JsonOrBytes { .. } => output.is_some(),
        _ => false,
    }
}

impl<E: Execute> Run<'_, E> {
    /// Builds the catalog operation `e` from the flags, checks it whole, then runs it.
    pub(super) fn run_catalog(self, e: &'static Endpoint, output: Option<&str>) -> Result<Option<Value>, Failure> {
        let usage = |err: &atlas_admin_ureq::InvalidInput| Failure::Usage(self.explain(err));
        let mut op = Custom::for_endpoint(e).map_err(|err| usage(&err))?;
        for (name, given) in self.given {
            op = op.param(name, &given.value).map_err(|err| usage(&err))?;
        }
        if let Some(version) = self.raw.api_version {
            op = op.api_version(version);
        }
        op = op.envelope(self.raw.envelope).pretty(self.raw.pretty);
        if let Some(body) = self.raw.body {
            op = op.json_bytes(body.to_vec()).map_err(|err| usage(&err))?;
        }
        if is_download(e, output) {
            let op = op.into_download().map_err(|err| usage(&err))?;
            self.check(&op)?;
            if output.is_none() && std::io::stdout().is_terminal() {
                return Err(Failure::Usage(format!(
                    "{} answers a download: give --output FILE, or send stdout to a file or pipe",
                    e.operation_id
                )));
            }
            let client = (self.client)().map_err(Failure::Usage)?;
            let bytes = client.execute(&op).map_err(Failure::Call)?.value;
            return match output {
                Some(file) => write_atomically(Path::new(file), |w| w.write_all(&bytes))
                    .map(|()| None)
                    .map_err(|err| Failure::Io(format!("--output {file}: {err}"))),
                None => {
                    let mut stdout = std::io::stdout().lock();
                    stdout.write_all(&bytes).and_then(|()| stdout.flush()).map(|()| None).map_err(|_| Failure::Closed)
                }
            };
        }
        if self.all_pages {
            let op = op.paginated().map_err(|err| usage(&err))?;
            self.check(&op)?;
            let client = (self.client)().map_err(Failure::Usage)?;
            return self.all_pages(op, &client).map(|()| None);
        }
        self.check(&op)?;
        let client = (self.client)().map_err(Failure::Usage)?;
        let value = client.execute(&op).map_err(Failure::Call)?.value;
        // An empty answer (a 204) is `null`: print nothing, as for typed deletes.
        Ok((!value.is_null()).then_some(value))
    }

    /// Everything the call checks before sending (required flags, repeated ones, the version,
    /// envelope/pretty, the body), checked before a client exists: a usage error (exit 2).
    fn check<O: Operation>(&self, op: &O) -> Result<(), Failure> {
        match unsigned_request(&Config::default(), op) {
            Ok(_) => Ok(()),
            Err(Error::InvalidInput(err)) => Err(Failure::Usage(self.explain(&err))),
            Err(err) => Err(Failure::Usage(err.to_string())),
        }
    }
}
