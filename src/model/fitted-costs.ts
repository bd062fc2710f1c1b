/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4039,
  wakeup_ns: 4809,
  blk_request_ns: 1366,
  blk_complete_ns: 544,
  irqfd_notify_ns: 816,
  main_loop_iteration_ns: 2933,
  main_loop_request_ns: 220,
  native_submit_batch_ns: 1643,
  io_uring_enter_ns: 1430,
  threads_submit_req_ns: 1890
};
