//! The `endpoints!` macro: one table row in, one operation type out.
//!
//! A row names the type and gives the endpoint's metadata, its path parameters (field, id
//! type, spec name), its optional query parameters (field, kind, spec name, getter), its body
//! type if any and its output type. From that the macro writes the struct, its validating
//! `new`, the query setters and getters, `body()`, the call options the endpoint takes
//! (`.envelope()`, `.pretty()` only where the spec lists them, `.api_version()`), the
//! `impl Operation` with its `const ENDPOINT`, the `impl FromArgs` for generic front ends,
//! and the registry ([`super::ALL`], [`super::visit`]).

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
            query: { $($q:ident: $Q:ident = $qname:literal => $qget:ident),* $(,)? };
            $(body: $Body:ty;)?
            output: $Out:ty;
            versions: [$($v:ident),+ $(,)?];
            envelope: $envelope:tt;
            pretty: $pretty:tt;
            idempotent: $idempotent:literal;
            success: $success:tt;
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
                $($q: Option<String>,)*
                options: CallOptions,
            }

            impl $Type {
                /// Validates the ids (a body validated itself when it was built); nothing is sent.
                pub fn new($($p: impl IntoId<$P>,)* $(body: $Body)?) -> Result<Self, InvalidInput> {
                    Ok($Type {
                        $($p: $p.into_id()?,)*
                        $(body: { let body: $Body = body; body },)?
                        $($q: None,)*
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

                /// Overrides the API version for this call.
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
                        $(Param::query($qname, ParamKind::$Q),)*
                    ],
                    body: false $(|| !stringify!($Body).is_empty())?,
                    versions: &[$(ApiVersion::$v),+],
                    success: $success,
                    envelope: $envelope,
                    pretty: $pretty,
                    idempotent: $idempotent,
                };

                fn path_params(&self) -> Vec<(&'static str, &str)> {
                    vec![$(($pname, self.$p.as_str())),*]
                }

                #[allow(unused_mut)]
                fn query(&self) -> Vec<(&'static str, &str)> {
                    let mut query = Vec::new();
                    $(if let Some(value) = &self.$q {
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

            impl FromArgs for $Type {
                fn from_args(args: &RawArgs<'_>) -> Result<Self, InvalidInput> {
                    let endpoint = &<Self as Operation>::ENDPOINT;
                    args.check_names(endpoint)?;
                    // Ids first, so a bad id is reported before a bad body.
                    $(let $p: $P = args.path($pname)?.into_id()?;)*
                    let mut op = $Type::new($($p,)* $(args.body::<$Body>()?)?)?;
                    $(if let Some(value) = args.query($qname) {
                        op = op.$q(value)?;
                    })*
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
                return Some(visitor.visit::<$Type>());
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
            self.$q = Some(value);
            Ok(self)
        }

        #[doc = concat!("The `", $qname, "` query parameter, if set.")]
        pub fn $qget(&self) -> Option<&str> {
            self.$q.as_deref()
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

    // 204 No Content: there is no body to decode.
    (@decode 204) => {
        fn decode(_body: &[u8]) -> Result<Self::Output, serde_json::Error> {
            Ok(())
        }
    };
    (@decode $other:tt) => {};
}

pub(super) use endpoints;
