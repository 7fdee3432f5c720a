/**
 * `spreadvec/train`: training a catalyzer (the paper's triplet + KoLeo recipe; fitCatalyzer for an app's own vectors),
 * cross-validation of λ, trainer state and the losses. The tfjs trainer loads
 * TensorFlow.js only when asked for.
 */
export { trainOnSplit, trainEpoch, validateTrainer, lrPerEpoch, resolveOptions, epochLine, TRAIN_DEFAULTS } from '../train/trainer';
export type { TrainOptions, TrainReporter, TrainResult, EpochLog, EpochSetup, TrainingSplit, ValidationResult } from '../train/trainer';
export { fitCatalyzer, defaultSampleSize, MIN_FIT_VECTORS, FIT_DEFAULTS } from '../train/fit';
export type { FitOptions, FitResult, FitProgress } from '../train/fit';
export { runTraining } from '../train/run';
export { WeightAverage } from '../train/weight-average';
export { crossValidate, DEFAULT_LAMBDAS } from '../train/crossvalidate';
export type { CrossValidateOptions, CrossValidateResult } from '../train/crossvalidate';
export type { TfjsMlpTrainer } from '../train/tfjs-trainer';
export { loadTfjsMlpTrainer } from '../train/tfjs-trainer-loader';
export { initState, stateFromTrainer, loadStateIntoTrainer, dimsOfState, STATE_KEYS } from '../train/state';
export type { CatalyzerState, StateTensor, MlpDims } from '../train/state';
export { tripletLoss, koleoLoss, tripletKoleoLoss } from '../train/losses';
export { NativeMlpTrainer } from '../kernels/mlp-native';
export type { StepStats, BatchRunStats } from '../kernels/mlp-native';
