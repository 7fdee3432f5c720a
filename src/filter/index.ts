/**
 * Metadata and predicates: the types, validation of records and schemas,
 * compileWhere, and matches (docs/filtering.md).
 */
export * from './types';
export { checkMetadata, checkSchema, checkFieldName, elementType, scalarTypeOf, schemaKey } from './check';
export { compareScalars, compareCodePoints } from './order';
export { compileWhere } from './where';
export type { CompiledWhere, WhereNode, FieldNode, IdNode, InNode, RangeNode, HasNode, ArrayEqNode, AndNode, OrNode, NotNode } from './where';
export { matches, evaluate, fieldHolds } from './match';
