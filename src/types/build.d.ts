// Replaced at bundle time by esbuild --define (see scripts/bundle.mjs).
declare const FLOATGW_VERSION: string;
