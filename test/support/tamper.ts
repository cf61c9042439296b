// A credential with its last characters changed, never by chance the same: a fixed suffix such
// as "abc" is the real one's suffix once in 65,536 random secrets (it happened in CI).
export function tampered(secret: string, count = 3): string {
  const tail = [...secret.slice(-count)].map((c) => (c === "A" ? "B" : "A")).join("");
  return secret.slice(0, -count) + tail;
}
