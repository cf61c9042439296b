export * from "./browser";
export * from "./server";
export * from "./axe";
export * from "./portal";
export * from "./screenshot";
export * from "./use-portal";
