/**
 * drizzle asks postgres.js for a prepared statement only for a query built with `.prepare(name)`
 * (postgres-js/session.js: `prepare: name !== undefined`). Every other query goes unnamed, and
 * postgres.js sends an unnamed query with parameters in two round trips: Parse and Describe,
 * wait for the parameter types, then Bind and Execute. The line's webhooks spent half their round
 * trips there (issue #9).
 *
 * This wrapper has postgres.js prepare every statement, in transactions too: a connection parses
 * a statement the first time it runs it and then only binds and executes it, in one round trip,
 * pipelined with its neighbours. Only for the line's pool, whose statements come in a few dozen
 * shapes; postgres.js keeps each connection's prepared statements for the connection's life.
 */
import type postgres from "postgres";

type Client = postgres.Sql | postgres.TransactionSql;

export function preparingEveryStatement<C extends Client>(client: C): C {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === "unsafe") {
        return (query: string, parameters?: unknown[], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(query, parameters as postgres.ParameterOrJSON<never>[], {
            ...options,
            prepare: true,
          });
      }
      if (property === "begin") {
        return (...args: unknown[]) => {
          // begin([options,] work): the transaction's own client is wrapped the same way.
          const work = args.at(-1) as (tx: postgres.TransactionSql) => unknown;
          const begin = (target as postgres.Sql).begin as (...a: unknown[]) => Promise<unknown>;
          return begin.call(target, ...args.slice(0, -1), (tx: postgres.TransactionSql) =>
            work(preparingEveryStatement(tx)),
          );
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
