// `import RLHF` brings in everything a Swift program needs to train: tensors and models, loading and
// saving (Hugging Face folders, GGUF, llama2.c, PEFT adapters), tokenizers and chat templates, generation,
// data sets and rewards, the trainers (SFT, DPO, reward models) and PPO (in one process, or as the
// cluster's learner and workers).
@_exported import Datasets
@_exported import Generation
@_exported import ModelIO
@_exported import Models
@_exported import PPO
@_exported import Storage
@_exported import Tensor
@_exported import Trainers
@_exported import Training
