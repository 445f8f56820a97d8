//! Uploads as both the API and the pages receive them: streamed, bounded, cleaned up.

pub mod attachment;
pub mod organisation;
