declare module "autocannon" {
  interface Options {
    url: string;
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    /** Requests in turn; `setupRequest` may change each one (a new body) before it is sent. */
    requests?: { setupRequest?: (req: Record<string, unknown>) => Record<string, unknown> }[];
    connections?: number;
    duration?: number;
    amount?: number;
    /** Requests per second across all connections (open loop). */
    overallRate?: number;
    /** A run before the measured one, whose results are reported apart. */
    warmup?: { connections?: number; duration?: number; amount?: number };
  }
  interface Result {
    latency: { p50: number; p99: number; average: number };
    requests: { average: number; total: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  }
  export default function autocannon(options: Options): Promise<Result>;
}
