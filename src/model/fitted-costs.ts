/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4331,
  wakeup_ns: 4912,
  blk_request_ns: 1366,
  blk_complete_ns: 544,
  irqfd_notify_ns: 802,
  main_loop_iteration_ns: 2790,
  main_loop_request_ns: 215,
  native_submit_batch_ns: 1670,
  io_uring_enter_ns: 1415,
  threads_submit_req_ns: 1862
};
