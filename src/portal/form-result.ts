// A form post that a person can correct (a wrong password, a taken email, a guard such as the
// last Admin) is answered by the same page again with the reason; anything else is an error page.
import { ZodError } from "zod";
import { AppError } from "../shared/errors";
import { fromZod } from "../shared/known-error";

export type FormResult<T> = { ok: true; value: T } | { ok: false; error: AppError };

export async function attempt<T>(fn: () => Promise<T>): Promise<FormResult<T>> {
  try {
    return { ok: true, value: await fn() };
  } catch (e) {
    const error = e instanceof ZodError ? fromZod(e) : e;
    if (error instanceof AppError && error.status < 500 && error.code !== "unauthorized")
      return { ok: false, error };
    throw e;
  }
}

/** Service messages are sentence fragments ("the code is not correct"): start them with a capital. */
export const sentence = (message: string): string =>
  message ? message.charAt(0).toUpperCase() + message.slice(1) + (/[.!?]$/.test(message) ? "" : ".") : "";
