//! Process hardening done before anything secret is read: no core dumps, no ptrace or
//! `/proc/PID/mem` and `/proc/PID/environ` reads by other processes of the same user.

use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};

/// Makes this process non-dumpable (`PR_SET_DUMPABLE` 0, which also hands its `/proc` files to
/// root) and its core-file limit 0. Best effort: a kernel that refuses leaves the process as it
/// was, which is no reason to stop a user from reaching their secrets.
pub fn harden_process() {
    let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
    let _ = setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_process_dumps_no_core_and_cannot_be_inspected() {
        harden_process();
        assert_eq!(
            rustix::process::dumpable_behavior().ok(),
            Some(DumpableBehavior::NotDumpable)
        );
        let core = rustix::process::getrlimit(Resource::Core);
        assert_eq!((core.current, core.maximum), (Some(0), Some(0)));
    }
}
