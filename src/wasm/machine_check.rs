//! How fast this machine reads memory and runs the one-token products (`kernels::machine_check`),
//! one pass at a time, for the worker to time: `make bench` prints it beside every table.

use wasm_bindgen::prelude::*;

use super::js_error;
use crate::kernels::machine_check;

#[wasm_bindgen]
pub struct MachineCheck(machine_check::MachineCheck);

#[wasm_bindgen]
impl MachineCheck {
    /// One kind of pass — "read", "q4", "q8" or "f32" — over about `megabytes` of memory.
    #[wasm_bindgen(constructor)]
    pub fn new(kind: &str, megabytes: usize) -> Result<MachineCheck, JsError> {
        machine_check::MachineCheck::new(kind, megabytes)
            .map(Self)
            .map_err(js_error)
    }

    /// Bytes one pass reads.
    #[wasm_bindgen(getter)]
    pub fn bytes(&self) -> f64 {
        self.0.bytes() as f64
    }

    /// Multiply-adds in one pass (0 for a read).
    #[wasm_bindgen(getter)]
    pub fn products(&self) -> f64 {
        self.0.products() as f64
    }

    /// One pass, on this thread; returns a sum of what it computed.
    pub fn run(&mut self) -> f64 {
        self.0.run()
    }
}
