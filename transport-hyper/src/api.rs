//! [`Client`] as an [`ExecuteAsync`]: code generic over the trait runs against this client, a
//! test double or a replay client alike.

use crate::client::Client;
use atlas_admin_core::{ApiResponse, Error, ExecuteAsync, Operation};
use std::future::Future;

impl ExecuteAsync for Client {
    fn execute<O>(&self, op: &O) -> impl Future<Output = Result<ApiResponse<O::Output>, Error>> + Send
    where
        O: Operation + Sync,
        O::Output: Send + 'static,
    {
        Client::execute(self, op)
    }
}
