/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 3963,
  wakeup_ns: 3817,
  blk_request_ns: 1254,
  blk_complete_ns: 652,
  irqfd_notify_ns: 1033,
  main_loop_iteration_ns: 4075,
  main_loop_request_ns: 295,
  native_submit_batch_ns: 1663,
  io_uring_enter_ns: 1756,
  threads_submit_req_ns: 2392
};
