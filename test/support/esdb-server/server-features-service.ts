import type { IServerFeaturesServer } from '@eventstore/db-client/generated/serverfeatures_grpc_pb';
import {
  SupportedMethod,
  SupportedMethods,
} from '@eventstore/db-client/generated/serverfeatures_pb';

const STREAMS = 'event_store.client.streams.Streams';

/**
 * What the client asks before choosing how to append: a server that lists `batchappend` gets the
 * pipelined BatchAppend RPC (EventStoreDB 21.10+); otherwise the client uses the classic Append.
 */
export function createServerFeaturesService(batchAppend: boolean): IServerFeaturesServer {
  return {
    getSupportedMethods(_call, callback) {
      const methods = ['read', 'append', ...(batchAppend ? ['batchappend'] : [])].map((name) =>
        new SupportedMethod().setServiceName(STREAMS).setMethodName(name),
      );
      callback(
        null,
        new SupportedMethods()
          .setMethodsList(methods)
          .setEventStoreServerVersion(batchAppend ? '23.10.0' : '21.6.0'),
      );
    },
  };
}
