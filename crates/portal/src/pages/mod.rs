//! The pages, one module per area. Each handler reads what it shows from the API ([`crate::api::Api`]) and
//! renders it in the visitor's language; a failed read becomes an error page that says what was wrong.

pub mod business;
pub mod errors;
pub mod explorer;
pub mod home;
pub mod land;
pub mod notary;
pub mod permits;
pub mod services;
