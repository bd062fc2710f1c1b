/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 7237,
  wakeup_ns: 4841,
  blk_request_ns: 1131,
  blk_complete_ns: 635,
  irqfd_notify_ns: 741,
  main_loop_iteration_ns: 2548,
  main_loop_request_ns: 227,
  native_submit_batch_ns: 1531,
  io_uring_enter_ns: 1511,
  threads_submit_req_ns: 1591
};
