// The default layouts are compiled into the binary; rebuild when they change.
fn main() {
    println!("cargo:rerun-if-changed=layouts");
}
