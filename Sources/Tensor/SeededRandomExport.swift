// `SplitMix64` lives in its own small target, so the cluster's pure core (which never imports the tensor
// engine) draws from the same generator; every user of Tensor keeps seeing it here.
@_exported import SeededRandom
