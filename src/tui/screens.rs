//! One module per screen: its state, how it reacts to actions, and how it is drawn.

pub mod detail;
pub mod form;
pub mod form_view;
pub mod help;
pub mod keys;
pub mod list;
pub mod result;
pub mod unlock;
