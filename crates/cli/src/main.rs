fn main() {
    println!("flowstate (being built)");
}
