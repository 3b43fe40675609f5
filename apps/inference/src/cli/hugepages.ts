// Imported first by the CLIs that run the engine in their own process (eval, bench): before sharp and onnxruntime
// load, this process starts itself again with glibc's huge-page tunable when it lacks it (compute/malloc-tunables.ts),
// so that their numbers are the service's compute processes' numbers.
import { relaunchWithHugepageMalloc } from "../compute/malloc-tunables.ts";

relaunchWithHugepageMalloc();
