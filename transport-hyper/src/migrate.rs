//! The migration helper on the async client: [`Client::migration_plan`] and
//! [`Client::migrate`] await the core's [`plan`](atlas_admin_core::migrate::plan) and
//! [`apply`](atlas_admin_core::migrate::apply) with this client and the system clock.

use crate::client::Client;
use atlas_admin_core::Error;
use atlas_admin_core::migrate::{self, Options, Plan, Report, Scope};
use std::time::SystemTime;

impl Client {
    /// Read-only: the scope's invitations and the Cloud Users calls that would replace each.
    /// See [`atlas_admin_core::migrate`] for the rules.
    pub async fn migration_plan(&self, scope: &Scope, options: Options) -> Result<Plan, Error> {
        migrate::plan(self, scope, options, SystemTime::now()).await
    }

    /// Performs the plan (safe to re-run: a second run changes nothing and says so).
    pub async fn migrate(&self, scope: &Scope, options: Options) -> Result<Report, Error> {
        migrate::apply(self, scope, options, SystemTime::now()).await
    }
}
