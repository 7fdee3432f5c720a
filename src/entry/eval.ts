/** `spreadvec/eval`: exact k-NN ground truth and 1-recall evaluation of quantizers. */
export { knn } from '../knn/knn';
export type { KnnMetric, KnnResult, KnnOptions } from '../knn/knn';
export { evaluate, evaluateAll, oneRecalls, formatRecallLine } from '../eval/evaluate';
export type { Encoder, Recalls, QuantizerRecalls, EvalData, EvaluateOptions } from '../eval/evaluate';
