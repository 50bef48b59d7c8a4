-- wrk's summary as one line that bench/page_throughput.py parses:
--   wrk_report requests=N duration_us=N p50_us=N p95_us=N max_us=N connect=N read=N write=N status=N timeout=N
-- status counts responses with a status of 400 or more (wrk's summary.errors.status); connect,
-- read, write and timeout are socket errors and requests that waited longer than --timeout.
-- Only done() is defined: a response() hook would make wrk parse every response in Lua, which
-- costs the load generator CPU on the same machine as the server.

done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    "wrk_report requests=%d duration_us=%d p50_us=%d p95_us=%d max_us=%d "
      .. "connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency.max, errors.connect, errors.read, errors.write, errors.status, errors.timeout
  ))
end
