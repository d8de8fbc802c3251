//! The `endpoints!` macro: one table row in, one operation type out.
//!
//! A row names the type and gives the endpoint's metadata (including the spec's `deprecated`,
//! the `x-sunset` date of each version that has one, the roles and the docs link), its path parameters (field, id
//! type, spec name), its optional query parameters (field, kind, spec name, getter, and
//! `since VERSION` for one older versions lack: [`Param::since`](crate::Param::since)), its body
//! type if any and its output type. From that the macro writes the struct, its validating
//! `new`, the query setters and getters, `body()`, the call options the endpoint takes
//! (`.envelope()`, `.pretty()` only where the spec lists them, `.api_version()`), the
//! `impl Operation` with its `const ENDPOINT`, the `impl FromArgs` for generic front ends,
//! the [`Paginated`](crate::paginate::Paginated) impl of a row marked `paginated: Item;`
//! (it must have `page_num` / `items_per_page` query parameters named so), and the registry
//! ([`super::ALL`], [`super::visit`]).

/// See the module doc; used once, in `ops/mod.rs`.
macro_rules! endpoints {
    ($(
        $(#[$attr:meta])*
        $Type:ident {
            operation_id: $id:literal $(, alias: $alias:literal)?;
            tag: $tag:literal;
            summary: $summary:literal;
            request: $method:ident $path:literal;
            path: { $($p:ident: $P:ident = $pname:literal),* $(,)? };
            query: { $($q:ident: $Q:ident = $qname:literal => $qget:ident $(since $since:ident)?),* $(,)? };
            $(body: $Body:ty;)?
            output: $Out:ty;
            $(paginated: $Item:ty;)?
            versions: [$($v:ident),+ $(,)?];
            envelope: $envelope:tt;
            pretty: $pretty:tt;
            idempotent: $idempotent:literal;
            success: $success:tt;
            deprecated: $deprecated:literal;
            sunset: [$($sunset_v:ident = $sunset_date:literal),* $(,)?];
            roles: [$($role:literal),* $(,)?];
            docs: $docs:literal;
        }
    )*) => {
        $(
            #[doc = concat!("`", $id, "`: ", $summary, ".")]
            #[doc = ""]
            #[doc = concat!("`", stringify!($method), " ", $path, "` (tag `", $tag, "`; see [`Operation::ENDPOINT`]).")]
            #[doc = ""]
            $(#[$attr])*
            #[derive(Clone, Debug)]
            pub struct $Type {
                $($p: $P,)*
                $(body: $Body,)?
                $($q: Vec<String>,)*
                options: CallOptions,
            }

            impl $Type {
                /// Validates the ids (a body validated itself when it was built); nothing is sent.
                pub fn new($($p: impl IntoId<$P>,)* $(body: $Body)?) -> Result<Self, InvalidInput> {
                    Ok($Type {
                        $($p: $p.into_id()?,)*
                        $(body: { let body: $Body = body; body },)?
                        $($q: Vec::new(),)*
                        options: CallOptions::default(),
                    })
                }

                $(
                    /// The request body.
                    pub fn body(&self) -> &$Body {
                        &self.body
                    }
                )?

                $($crate::ops::table::endpoints!(@query $Q, $q, $qname, $qget);)*

                /// Overrides the API version for this call: one of the row's `versions`
                /// (another is refused before anything is sent, as the client's would be).
                pub fn api_version(mut self, version: ApiVersion) -> Self {
                    self.options.api_version = Some(version);
                    self
                }
            }

            $crate::ops::table::endpoints!(@envelope $envelope, $Type);
            $crate::ops::table::endpoints!(@pretty $pretty, $Type);

            impl Operation for $Type {
                type Output = $Out;
                const ENDPOINT: Endpoint = Endpoint {
                    operation_id: $id,
                    aliases: &[$($alias)?],
                    tag: $tag,
                    summary: $summary,
                    method: Method::$method,
                    path: $path,
                    params: &[
                        $(Param::path($pname, <$P as PathParam>::KIND),)*
                        $(Param::query($qname, ParamKind::$Q)$(.since(ApiVersion::$since))?,)*
                    ],
                    body: false $(|| !stringify!($Body).is_empty())?,
                    versions: &[$(ApiVersion::$v),+],
                    success: $success,
                    envelope: $envelope,
                    pretty: $pretty,
                    idempotent: $idempotent,
                    paginated: false $(|| !stringify!($Item).is_empty())?,
                    statuses: &[$success],
                    output: $crate::ops::table::endpoints!(@output $success),
                    body_required: false $(|| !stringify!($Body).is_empty())?,
                    sunsets: &[$(Sunset::new(ApiVersion::$sunset_v, $sunset_date)),*],
                    deprecated: $deprecated,
                    preview: None,
                    roles: &[$($role),*],
                    docs_url: $docs,
                    auth: true,
                };

                fn path_params(&self) -> Vec<(&'static str, &str)> {
                    vec![$(($pname, self.$p.as_str())),*]
                }

                #[allow(unused_mut)]
                fn query(&self) -> Vec<(&'static str, &str)> {
                    let mut query = Vec::new();
                    $(for value in &self.$q {
                        query.push(($qname, value.as_str()));
                    })*
                    query
                }

                $(
                    fn body(&self) -> Result<Option<Vec<u8>>, serde_json::Error> {
                        let body: &$Body = &self.body;
                        serde_json::to_vec(body).map(Some)
                    }
                )?

                fn options(&self) -> &CallOptions {
                    &self.options
                }

                $crate::ops::table::endpoints!(@decode $success);
            }

            $($crate::ops::table::endpoints!(@paginated $Type, $Item);)?

            impl FromArgs for $Type {
                fn from_args(args: &RawArgs<'_>) -> Result<Self, InvalidInput> {
                    let endpoint = &<Self as Operation>::ENDPOINT;
                    args.check_names(endpoint)?;
                    // Ids first, so a bad id is reported before a bad body.
                    $(let $p: $P = args.path($pname)?.into_id()?;)*
                    let mut op = $Type::new($($p,)* $(args.body::<$Body>()?)?)?;
                    $($crate::ops::table::endpoints!(@arg $Q, op, args, $q, $qname);)*
                    op.options = args.options(endpoint)?;
                    Ok(op)
                }
            }
        )*

        /// Every endpoint of the table, in table order.
        pub static ALL: &[&Endpoint] = &[$(&<$Type as Operation>::ENDPOINT),*];

        /// Calls `visitor.visit::<O>()` with the operation type whose operationId (or alias) is
        /// `name`; `None` if no endpoint has that name. This is how generic front ends (the
        /// `atlas-api` example) reach a typed operation from text.
        pub fn visit<V: Visitor>(name: &str, visitor: V) -> Option<V::Output> {
            $(if <$Type as Operation>::ENDPOINT.is_named(name) {
                return Some($crate::ops::table::endpoints!(@visit visitor, $Type $(, $Item)?));
            })*
            None
        }
    };

    // An e-mail query parameter: `.username(email)?` and `.username_filter()`.
    (@query Email, $q:ident, $qname:literal, $qget:ident) => {
        #[doc = concat!("Sets the `", $qname, "` query parameter (an e-mail, validated here).")]
        pub fn $q(mut self, value: impl Into<String>) -> Result<Self, InvalidInput> {
            let value = value.into();
            check_email($qname, &value)?;
            self.$q = vec![value];
            Ok(self)
        }

        #[doc = concat!("The `", $qname, "` query parameter, if set.")]
        pub fn $qget(&self) -> Option<&str> {
            self.$q.first().map(String::as_str)
        }
    };
    // A user-id query parameter (`userId` filter).
    (@query Id, $q:ident, $qname:literal, $qget:ident) => {
        #[doc = concat!("Sets the `", $qname, "` query parameter (24 lowercase hex, validated here).")]
        pub fn $q(mut self, value: impl IntoId<UserId>) -> Result<Self, InvalidInput> {
            self.$q = vec![value.into_id()?.as_str().to_owned()];
            Ok(self)
        }

        #[doc = concat!("The `", $qname, "` query parameter, if set.")]
        pub fn $qget(&self) -> Option<&str> {
            self.$q.first().map(String::as_str)
        }
    };
    (@query Bool, $q:ident, $qname:literal, $qget:ident) => {
        #[doc = concat!("Sets the `", $qname, "` query parameter (Atlas's default applies when unset).")]
        pub fn $q(mut self, on: bool) -> Self {
            self.$q = vec![on.to_string()];
            self
        }

        #[doc = concat!("The `", $qname, "` query parameter, if set.")]
        pub fn $qget(&self) -> Option<bool> {
            self.$q.first().map(|v| v == "true")
        }
    };
    (@query PageSize, $q:ident, $qname:literal, $qget:ident) => {
        #[doc = concat!("Sets `", $qname, "`: items per page, 1 to 500 (Atlas's default is 100).")]
        pub fn $q(mut self, n: u32) -> Result<Self, InvalidInput> {
            if !(1..=500).contains(&n) {
                return Err(InvalidInput::with_value($qname, "must be from 1 to 500", &n.to_string()));
            }
            self.$q = vec![n.to_string()];
            Ok(self)
        }

        #[doc = concat!("The `", $qname, "` query parameter, if set.")]
        pub fn $qget(&self) -> Option<u32> {
            self.$q.first().and_then(|v| v.parse().ok())
        }
    };
    (@query PageNum, $q:ident, $qname:literal, $qget:ident) => {
        #[doc = concat!("Sets `", $qname, "`: the page to return, from 1.")]
        pub fn $q(mut self, n: u32) -> Result<Self, InvalidInput> {
            if n == 0 {
                return Err(InvalidInput::with_value($qname, "must be at least 1", "0"));
            }
            self.$q = vec![n.to_string()];
            Ok(self)
        }

        #[doc = concat!("The `", $qname, "` query parameter, if set.")]
        pub fn $qget(&self) -> Option<u32> {
            self.$q.first().and_then(|v| v.parse().ok())
        }
    };
    // Membership statuses, sent as repeated keys (`?orgMembershipStatuses=A&orgMembershipStatuses=B`).
    (@query Statuses, $q:ident, $qname:literal, $qget:ident) => {
        #[doc = concat!("Sets `", $qname, "` (known statuses only, each once; sent as repeated keys).")]
        pub fn $q(mut self, statuses: impl IntoIterator<Item = OrgMembershipStatus>) -> Result<Self, InvalidInput> {
            let statuses: Vec<OrgMembershipStatus> = statuses.into_iter().collect();
            for (i, status) in statuses.iter().enumerate() {
                OrgMembershipStatus::checked(status.as_str())
                    .map_err(|e| InvalidInput::with_value(format!("{}[{i}]", $qname), e.reason().to_owned(), status.as_str()))?;
            }
            check_unique($qname, &statuses, OrgMembershipStatus::as_str, |s| s.as_str().to_owned())?;
            self.$q = statuses.iter().map(|s| s.as_str().to_owned()).collect();
            Ok(self)
        }

        #[doc = concat!("The `", $qname, "` query parameter (empty if unset).")]
        pub fn $qget(&self) -> Vec<OrgMembershipStatus> {
            self.$q.iter().map(|s| OrgMembershipStatus::parse(s)).collect()
        }
    };

    // From text (`FromArgs`): each kind parses its value(s) and calls its setter.
    (@arg Statuses, $op:ident, $args:ident, $q:ident, $qname:literal) => {
        let values: Vec<OrgMembershipStatus> = $args.values($qname).map(OrgMembershipStatus::parse).collect();
        if !values.is_empty() {
            $op = $op.$q(values)?;
        }
    };
    (@arg Bool, $op:ident, $args:ident, $q:ident, $qname:literal) => {
        if let Some(value) = $args.query($qname) {
            $op = $op.$q(parse_bool($qname, value)?);
        }
    };
    (@arg PageSize, $op:ident, $args:ident, $q:ident, $qname:literal) => {
        if let Some(value) = $args.query($qname) {
            $op = $op.$q(parse_u32($qname, value)?)?;
        }
    };
    (@arg PageNum, $op:ident, $args:ident, $q:ident, $qname:literal) => {
        $crate::ops::table::endpoints!(@arg PageSize, $op, $args, $q, $qname);
    };
    (@arg $other:ident, $op:ident, $args:ident, $q:ident, $qname:literal) => {
        if let Some(value) = $args.query($qname) {
            $op = $op.$q(value)?;
        }
    };

    (@envelope true, $Type:ident) => {
        impl $Type {
            /// Asks Atlas to wrap the answer in `{"status", "content"}` (`envelope=true`);
            /// the result is unwrapped and equal to the plain one.
            pub fn envelope(mut self, on: bool) -> Self {
                self.options.envelope = on;
                self
            }
        }
    };
    (@envelope false, $Type:ident) => {};

    (@pretty true, $Type:ident) => {
        impl $Type {
            /// Asks for pretty-printed JSON (`pretty=true`). Only operations whose spec lists
            /// `pretty` have this method.
            pub fn pretty(mut self, on: bool) -> Self {
                self.options.pretty = on;
                self
            }
        }
    };
    (@pretty false, $Type:ident) => {};

    (@visit $visitor:ident, $Type:ident, $Item:ty) => { $visitor.visit_paginated::<$Type>() };
    (@visit $visitor:ident, $Type:ident) => { $visitor.visit::<$Type>() };

    // A paginated list: its `pageNum` and its page type, for the paginator.
    (@paginated $Type:ident, $Item:ty) => {
        impl Paginated for $Type {
            type Item = $Item;

            fn current_page(&self) -> u32 {
                self.page().unwrap_or(1)
            }

            fn at_page(&self, page_num: u32) -> Self {
                let mut op = self.clone();
                op.page_num = vec![page_num.max(1).to_string()];
                op
            }

            fn page(output: &Page<$Item>) -> &Page<$Item> {
                output
            }

            fn into_page(output: Page<$Item>) -> Page<$Item> {
                output
            }

            fn requested_page_size(&self) -> Option<u32> {
                self.page_size()
            }
        }
    };

    // What a success answer holds: nothing on a 204, JSON otherwise.
    (@output 204) => { SuccessBody::Empty };
    (@output $other:tt) => { SuccessBody::Json };

    // 204 No Content: there is no body to decode.
    (@decode 204) => {
        fn decode(_body: &[u8]) -> Result<Self::Output, serde_json::Error> {
            Ok(())
        }
    };
    (@decode $other:tt) => {};
}

pub(super) use endpoints;
