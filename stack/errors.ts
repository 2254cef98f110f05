// Expected problems of the local stack (a program missing, a state folder in use, a server that did
// not start): `npm run dev`, `stack:up` and the tests print their message alone, without a stack trace.
export class StackError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StackError';
  }
}
