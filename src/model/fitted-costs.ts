/** Written by `vqsim calibrate` (src/calibration/fit.ts): the fitted costs, ns. Do not edit by hand. */
export const FITTED_COSTS = {
  vcpu_wakeup_ns: 3978,
  wakeup_ns: 4953,
  blk_request_ns: 1111,
  blk_complete_ns: 645,
  irqfd_notify_ns: 759,
  main_loop_iteration_ns: 2588,
  main_loop_request_ns: 221,
  native_submit_batch_ns: 1563,
  io_uring_enter_ns: 1531,
  threads_submit_req_ns: 1573
};
