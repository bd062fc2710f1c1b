/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4312,
  wakeup_ns: 3933,
  blk_request_ns: 1459,
  blk_complete_ns: 608,
  irqfd_notify_ns: 974,
  main_loop_iteration_ns: 4109,
  main_loop_request_ns: 239,
  native_submit_batch_ns: 1556,
  io_uring_enter_ns: 1719,
  threads_submit_req_ns: 2026
};
