"""The floors the benchmarks measure the project against (issue 11); used only by the benchmarks."""
