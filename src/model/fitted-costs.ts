/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 4014,
  wakeup_ns: 3939,
  blk_request_ns: 1459,
  blk_complete_ns: 559,
  irqfd_notify_ns: 932,
  main_loop_iteration_ns: 4025,
  main_loop_request_ns: 238,
  native_submit_batch_ns: 1562,
  io_uring_enter_ns: 1718,
  threads_submit_req_ns: 2170
};
