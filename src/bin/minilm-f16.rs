//! `minilm-f16 SOURCE OUT_DIR`: all-MiniLM-L6-v2's model.safetensors (f32) →
//! OUT_DIR/model.f16.safetensors (see `bert_vs_gpt::convert::half_weights`). Run by `make fetch`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<PathBuf> = std::env::args_os().skip(1).map(PathBuf::from).collect();
    let [source, out] = args.as_slice() else {
        eprintln!("usage: minilm-f16 path/to/model.safetensors OUT_DIR");
        return ExitCode::from(2);
    };
    let run = || -> Result<(), String> {
        let bytes = std::fs::read(source).map_err(|e| format!("{}: {e}", source.display()))?;
        std::fs::create_dir_all(out).map_err(|e| format!("{}: {e}", out.display()))?;
        let path = out.join("model.f16.safetensors");
        bert_vs_gpt::convert::half_weights::write_f16(&bytes, &path).map_err(|e| e.to_string())?;
        println!("wrote {}", path.display());
        Ok(())
    };
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("minilm-f16: {message}");
            ExitCode::FAILURE
        }
    }
}
