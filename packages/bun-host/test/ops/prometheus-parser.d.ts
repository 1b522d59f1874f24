/** Types of `parse-prometheus-text-format` (the package ships none). */
declare module 'parse-prometheus-text-format' {
  /** One sample of a counter, gauge or untyped family. */
  export interface PrometheusSample {
    value: string;
    labels?: Record<string, string>;
  }
  /** One histogram series. */
  export interface PrometheusHistogramSample {
    buckets: Record<string, string>;
    count: string;
    sum: string;
    labels?: Record<string, string>;
  }
  /** One metric family. */
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: Array<PrometheusSample & Partial<PrometheusHistogramSample>>;
  }
  /** Parses a text exposition; throws on malformed input. */
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
