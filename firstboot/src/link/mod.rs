//! The parts of firstboot that deal with OQSComApp's surroundings and need no
//! `Host`: the `UserDefinition.property` editor, the failover lease on the share,
//! the `role` decisions, and the installers' pure logic (unpacking, exit codes,
//! versions, command lines).

pub mod fs_host;
pub mod installer;
pub mod lease;
pub mod role;
pub mod userdef;
