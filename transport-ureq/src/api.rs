//! [`Client`] as an [`Execute`]: code generic over the trait runs against this client, a test
//! double or a replay client alike.

use crate::client::Client;
use atlas_admin_core::{ApiResponse, Error, Execute, Operation};

impl Execute for Client {
    fn execute<O>(&self, op: &O) -> Result<ApiResponse<O::Output>, Error>
    where
        O: Operation,
        O::Output: Send + 'static,
    {
        Client::execute(self, op)
    }
}
